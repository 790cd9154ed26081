/** Where a screenshot in a report lives: a URL to fetch (only when allowed) or a file in the repository. Pure. */
import path from 'node:path';
import type { ImageLocation } from './types.ts';

/** GitHub's hosts for images pasted into an issue, PR or file edited on github.com. */
const GITHUB_IMAGE_HOSTS = new Set(['user-images.githubusercontent.com', 'private-user-images.githubusercontent.com']);

/**
 * `src` as written in the report named `reportFile`: a relative path is taken from the report's
 * folder, a leading `/` from the repository root (as GitHub renders it).
 */
export function imageLocation(src: string, reportFile: string): ImageLocation {
  const s = src.trim();
  if (s === '') return { kind: 'unsupported', reason: 'empty' };
  if (s.startsWith('//')) return remote(`https:${s}`);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(s)?.[1]?.toLowerCase();
  if (scheme === 'http' || scheme === 'https') return remote(s);
  if (scheme === 'data') return { kind: 'data', mediaType: /^data:([^;,]*)/i.exec(s)?.[1] ?? '' };
  // markdown-it percent-encodes a path's backslashes and spaces.
  const written = decoded(s.replace(/[?#].*$/, '')).replace(/\\/g, '/');
  // `C:\Users\...` is a path on the student's own disk, never in the repository.
  if (/^[a-z]:\//i.test(written)) return { kind: 'local', path: written, outside: true };
  if (scheme) return { kind: 'unsupported', reason: 'scheme' };
  const rooted = written.startsWith('/');
  const dir = path.posix.dirname(reportFile.replace(/\\/g, '/'));
  const resolved = path.posix.normalize(rooted ? written.replace(/^\/+/, '') : path.posix.join(dir, written));
  return { kind: 'local', path: resolved, outside: resolved === '..' || resolved.startsWith('../') };
}

function remote(url: string): ImageLocation {
  let host = '';
  let pathname = '';
  try {
    ({ hostname: host, pathname } = new URL(url));
  } catch {
    return { kind: 'unsupported', reason: 'scheme' };
  }
  const githubAttachment = GITHUB_IMAGE_HOSTS.has(host) || (host === 'github.com' && (pathname.startsWith('/user-attachments/') || /^\/[^/]+\/[^/]+\/assets\//.test(pathname)));
  return { kind: 'remote', url, https: url.toLowerCase().startsWith('https:'), githubAttachment };
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    // A lone `%` is a literal character in a file name.
    return text;
  }
}
