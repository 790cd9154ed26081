/**
 * Markdown → a complete, self-contained HTML document for printing. markdown-it runs without raw
 * HTML, images or autolinks, so the only HTML in the page is what this file writes.
 */
import MarkdownIt from 'markdown-it';
import { escapeHtml } from './escape.ts';
import { LOG_FENCE_INFO } from './evidence.ts';
import { HIGHLIGHT_MARK } from './excerpt.ts';
import { STATUS_LABEL } from './labels.ts';
import { REPORT_CSS } from './styles.ts';

/** No network, no scripts, no frames: inline styles and data: images/fonts only. */
export const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:";

function createMarkdownIt(): MarkdownIt {
  const m = new MarkdownIt({ html: false, linkify: false, typographer: false });
  // The report has no images and writes links only as [label](<url>); nothing else may fetch or link.
  m.disable(['image', 'autolink']);
  m.validateLink = (url: string) => /^https:\/\//i.test(url) || /^[A-Za-z0-9._/-]+$/.test(url);

  const defaultFence = m.renderer.rules.fence!;
  const highlighted = new RegExp(`^\\s*\\d+ ${HIGHLIGHT_MARK} `);
  m.renderer.rules.fence = (tokens, idx, options, env, self) => {
    const token = tokens[idx]!;
    if (token.info.trim() !== LOG_FENCE_INFO) return defaultFence(tokens, idx, options, env, self);
    const lines = token.content.replace(/\n$/, '').split('\n');
    const body = lines
      .map((l) => (highlighted.test(l) ? `<span class="hl">${m.utils.escapeHtml(l)}</span>` : m.utils.escapeHtml(l)))
      .join('\n');
    return `<pre class="log"><code>${body}</code></pre>\n`;
  };

  // Colour the status words in tables (text tokens are already escaped by the default rule).
  const statusClass = new Map(Object.entries(STATUS_LABEL).map(([k, v]) => [v, `st-${k}`]));
  const defaultText = m.renderer.rules.text!;
  m.renderer.rules.text = (tokens, idx, options, env, self) => {
    const cls = statusClass.get(tokens[idx]!.content);
    const html = defaultText(tokens, idx, options, env, self);
    return cls ? `<span class="${cls}">${html}</span>` : html;
  };
  return m;
}

// Configured once; rendering does not change it.
const md = createMarkdownIt();

/** The Markdown body as HTML (no document wrapper). */
export function markdownToHtml(markdown: string): string {
  return md.render(markdown);
}

export interface HtmlDocumentOptions {
  /** Document title; also the PDF's Title metadata. */
  title: string;
}

/** A full HTML document around a body fragment: charset, strict CSP, print CSS. */
export function htmlDocument(bodyHtml: string, opts: HtmlDocumentOptions): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="pl">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="referrer" content="no-referrer">',
    `<title>${escapeHtml(opts.title)}</title>`,
    `<style>${REPORT_CSS}</style>`,
    '</head>',
    `<body>\n${bodyHtml}</body>`,
    '</html>',
  ].join('\n');
}
