/**
 * What the report reader found in a student's report (sprawozdanie). Every item names its file
 * and 1-based line. Pasted output is the student's claim, not a reproduction: it carries a
 * confidence, and checks must weigh it below what the grader observed itself.
 */
import type { BuildLogFormat, PushedManifest } from '../build-log/parse.ts';
import type { CacheImportStatus, PlatformSteps } from '../results/types.ts';
import type { GcSummary } from '../bonus/types.ts';
import type { ParsedCommand } from '../commands/types.ts';

/**
 * Text to read, as a caller has it: a Markdown file, or plain text (a `.txt` report, or the text
 * another reader extracted from a PDF, DOCX or screenshot; `line` then counts lines of that text).
 */
export interface ReportTextInput {
  /** As the report should name it, e.g. a path relative to the repository (`docs/sprawozdanie.md`). */
  file: string;
  text: string;
  format: 'markdown' | 'plain';
  /** Where the text came from when it was not typed by the student; OCR lowers the confidence. */
  extractedFrom?: 'pdf' | 'docx' | 'ocr';
  /** PDF: the line each page starts on (page 1 first), so evidence can name the page. */
  pageStarts?: number[];
}

/** `report`: pasted by the student; `ocr`: read from a screenshot, which may also misread characters. */
export type Confidence = 'report' | 'ocr';

/** A line quoted as evidence. */
export interface EvidenceLine {
  file: string;
  line: number;
  text: string;
}

/** Where an item sits: heading titles from the top, e.g. ["Zadanie 1", "Budowanie 2"]. */
export type SectionPath = string[];

export interface ReportSection {
  file: string;
  line: number;
  /** 1-6 for a Markdown heading; null for a line that only looks like one ("Etap 1 - ...", a bold line). */
  level: number | null;
  title: string;
  path: SectionPath;
}

export interface ReportParagraph {
  file: string;
  line: number;
  endLine: number;
  /** As written (Markdown inline markup kept), lines joined with "\n". */
  text: string;
  section: SectionPath;
}

export interface ReportCodeBlock {
  file: string;
  /** The opening fence (or the first line of an indented block). */
  line: number;
  /** First line of the content. */
  contentLine: number;
  endLine: number;
  info: string;
  /** First word of the info string, lower case ('' when unlabelled). */
  lang: string;
  content: string;
  fenced: boolean;
  /** False when the fence is never closed: the rest of the report became code. */
  closed: boolean;
  section: SectionPath;
}

export interface ReportInlineCode {
  file: string;
  line: number;
  text: string;
  section: SectionPath;
}

export type ImageLocation =
  | { kind: 'remote'; url: string; https: boolean; /** `github.com/user-attachments/...` and GitHub's image hosts. */ githubAttachment: boolean }
  /** `path`: POSIX, relative to the folder `file` names are relative to; `outside`: it climbs above that folder. */
  | { kind: 'local'; path: string; outside: boolean }
  | { kind: 'data'; mediaType: string }
  | { kind: 'unsupported'; reason: 'empty' | 'scheme' };

export interface ReportImage {
  file: string;
  line: number;
  alt: string;
  src: string;
  /** `![alt](src)` or an `<img src>` tag (what GitHub writes when an image is pasted). */
  via: 'markdown' | 'html';
  location: ImageLocation;
  section: SectionPath;
}

export interface ReportCommand {
  /** The command module's model; `parsed.source` holds file and line. */
  parsed: ParsedCommand;
  file: string;
  line: number;
  origin: 'code-block' | 'text';
  /** Template parts copied instead of real values (`<registry>/<image>`, `your-username`). */
  placeholders: string[];
  section: SectionPath;
}

export type OutputKind = 'build-log' | 'manifest' | 'registry' | 'gc' | 'builders' | 'containers' | 'digest' | 'other';

export interface OutputBase {
  file: string;
  line: number;
  endLine: number;
  origin: 'code-block' | 'text' | 'inline-code';
  confidence: Confidence;
  /** Index in `commands` of the command this output follows (same block, or the nearest one before it in the section). */
  after: number | null;
  section: SectionPath;
  /** The first lines, for a listing. */
  excerpt: EvidenceLine[];
}

export interface BuildLogFacts {
  format: BuildLogFormat;
  /** `#0 building with "NAME" instance using DRIVER driver`, or the tty header's `DRIVER:NAME`. */
  builder: { name: string; driver: string; line: number | null } | null;
  cacheImport: { status: CacheImportStatus; ref: string | null; refCut: boolean; message: string | null; line: number | null };
  cacheExport: { attempted: boolean; exported: boolean; manifestDigest: string | null; error: string | null; line: number | null };
  /** Per platform: Dockerfile steps and how many were CACHED (`default` for steps printed without a platform). */
  platforms: PlatformSteps[];
  /** Each Dockerfile instruction the log ran (FROM left out), once, where it first appears; `cut` at terminal width. */
  instructions: { line: number; text: string; cut: boolean }[];
  totals: { cached: number; total: number };
  failed: boolean;
  error: { message: string; step: string | null; line: number | null } | null;
  manifestList: string | null;
  pushed: PushedManifest[];
  /** Signs the paste was edited by hand: left-out lines (`...`) or comments written into it (`<--`). */
  edits: { kind: 'gap' | 'annotation'; line: number; text: string }[];
  /** The lines that prove what the facts say (import, CACHED, export, error), bounded. */
  evidence: EvidenceLine[];
}

export interface ManifestEntry {
  line: number;
  /** Normalised (`linux/arm64`), null when not shown. */
  platform: string | null;
  digest: string | null;
  mediaType: string | null;
  /** A provenance/SBOM manifest (`unknown/unknown` or the attestation annotation). */
  attestation: boolean;
}

export interface ManifestFacts {
  /** `imagetools`: the text of `docker buildx imagetools inspect`; `json`: `--raw`, `docker manifest inspect`, a registry body. */
  form: 'imagetools' | 'json';
  name: string | null;
  mediaType: string | null;
  digest: string | null;
  /** Image platforms, attestations left out, unique, in order. */
  platforms: string[];
  manifests: ManifestEntry[];
  /** The manifest is a BuildKit cache (its config or a layer is a cacheconfig.v0). */
  buildkitCache: boolean;
  /** JSON form only: the text parsed as JSON (false: cut or edited; platforms were read line by line). */
  validJson: boolean | null;
}

export interface RegistryFacts {
  /** `HTTP/1.1 202 Accepted`, PowerShell `StatusCode : 202`. */
  statuses: { line: number; code: number; text: string }[];
  /** curl -v request lines: `> DELETE /v2/app/manifests/sha256:... HTTP/1.1`. */
  requests: { line: number; method: string; path: string }[];
  /** `Docker-Content-Digest:` headers. */
  digests: { line: number; digest: string }[];
  /** `{"errors":[{"code":"UNSUPPORTED",...}]}`. */
  errorCodes: { line: number; code: string }[];
  /** `/v2/<name>/tags/list` bodies; tags null after every tag was deleted. */
  tagLists: { line: number; name: string; tags: string[] | null }[];
  /** `/v2/_catalog` bodies. */
  repositories: { line: number; names: string[] }[];
}

export interface GcFacts {
  markedManifests: number;
  /** `blob eligible for deletion: ...` lines. */
  eligibleBlobs: number;
  /** `Deleting blob: ...` lines (logrus text or terminal form). */
  deletedBlobs: number;
  summary: GcSummary;
  summaryLine: number | null;
}

export interface BuilderFact {
  line: number;
  name: string;
  driver: string | null;
  /** Marked `*` in `docker buildx ls`: the selected builder. */
  current: boolean;
}

export interface ContainerFact {
  line: number;
  id: string;
  image: string;
  names: string;
}

export type ReportOutput =
  | (OutputBase & { kind: 'build-log'; log: BuildLogFacts })
  | (OutputBase & { kind: 'manifest'; manifest: ManifestFacts })
  | (OutputBase & { kind: 'registry'; registry: RegistryFacts })
  | (OutputBase & { kind: 'gc'; gc: GcFacts })
  | (OutputBase & { kind: 'builders'; builders: BuilderFact[] })
  | (OutputBase & { kind: 'containers'; containers: ContainerFact[] })
  /** A bare digest: what `docker buildx build -q` prints instead of a log. */
  | (OutputBase & { kind: 'digest'; digest: string })
  | (OutputBase & { kind: 'other' });

export type ReportNote =
  /** Phrases and artefacts of text pasted from a chatbot. */
  | { code: 'chatbot-text'; file: string; line: number; text: string }
  | { code: 'unclosed-fence'; file: string; line: number; text: string };

export interface StudentReport {
  file: string;
  format: 'markdown' | 'plain';
  extractedFrom: ReportTextInput['extractedFrom'] | null;
  confidence: Confidence;
  lineCount: number;
  /** PDF: the line each page starts on (page 1 first). */
  pageStarts?: number[];
  sections: ReportSection[];
  paragraphs: ReportParagraph[];
  codeBlocks: ReportCodeBlock[];
  inlineCode: ReportInlineCode[];
  images: ReportImage[];
  commands: ReportCommand[];
  outputs: ReportOutput[];
  notes: ReportNote[];
}

/** Why a report could not be read; the CLI turns it into an input error naming the file. */
export type ReportInputError =
  | { code: 'too-large'; file: string; bytes: number; limit: number }
  /** Not text: `looksLike` names what it seems to be, so the message can say which reader it needs. */
  | { code: 'not-text'; file: string; looksLike: 'pdf' | 'zip' | 'binary' };

export type ReadReportResult = { ok: true; report: StudentReport } | { ok: false; error: ReportInputError };
