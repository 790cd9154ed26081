/**
 * What the bonus flows need from the registry client and from a registry they may stop for GC.
 * Structural subsets, so the real RegistryClient and registry7 handle fit, and so does the
 * sandbox's disposable copy (registry-copy.ts).
 */
import type { RegistryClient } from '../registry/client.ts';
import type { GcSummary } from './types.ts';

export type BonusClient = Pick<RegistryClient, 'baseUrl' | 'headManifest' | 'getManifest' | 'listTags' | 'deleteManifest' | 'putManifest'>;

export interface GcResult {
  exitCode: number | null;
  durationMs: number;
  /** What was run, as a student would type it. */
  argv: string[];
  summary: GcSummary;
}

/** A registry the grader runs itself: it can measure its storage and run GC safely (stopped or read-only). */
export interface GcCapableRegistry {
  storageBytes(options?: { signal?: AbortSignal }): Promise<number>;
  garbageCollect(options: { deleteUntagged: boolean; signal?: AbortSignal }): Promise<GcResult>;
}
