/**
 * Print CSS of raport.pdf. Fonts are the system's DejaVu (fonts-dejavu-core, installed by
 * `npm run setup`): Chromium finds them through fontconfig without any request, and embeds
 * the used glyphs (Polish ones included) in the PDF.
 */
export const REPORT_CSS = `
@page { size: A4; }
html { font-family: 'DejaVu Sans', 'Liberation Sans', sans-serif; font-size: 9.5pt; line-height: 1.4; color: #1b1f23; }
body { margin: 0; }
h1 { font-size: 16pt; margin: 0 0 8pt; padding-bottom: 4pt; border-bottom: 2px solid #24527a; color: #24527a; }
h2 { font-size: 13pt; margin: 16pt 0 6pt; padding-bottom: 2pt; border-bottom: 1px solid #c8d1da; color: #24527a; }
h3 { font-size: 10.5pt; margin: 12pt 0 4pt; }
h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
p { margin: 4pt 0; orphans: 3; widows: 3; }
ul { margin: 4pt 0; padding-left: 14pt; }
li { margin: 1pt 0; }
a { color: #0b5cad; text-decoration: none; overflow-wrap: anywhere; }
code, pre { font-family: 'DejaVu Sans Mono', 'Liberation Mono', monospace; }
code { font-size: 8.5pt; background: #f1f3f5; padding: 0 2px; border-radius: 2px; overflow-wrap: anywhere; }
pre { font-size: 7.4pt; line-height: 1.35; background: #f6f8fa; border: 1px solid #d8dee4; border-radius: 3px;
  padding: 5pt 6pt; margin: 4pt 0 8pt; white-space: pre-wrap; overflow-wrap: anywhere; word-break: break-all; }
pre code { background: none; padding: 0; font-size: inherit; }
pre.log .hl { background: #fff1a8; font-weight: bold; display: inline-block; width: 100%; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0 8pt; font-size: 8.3pt; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 1px solid #d0d7de; padding: 2pt 4pt; vertical-align: top; text-align: left; }
th { background: #eef2f6; }
td code { font-size: 7.6pt; word-break: break-all; }
td a { overflow-wrap: normal; white-space: nowrap; }
blockquote { margin: 6pt 0; padding: 4pt 8pt; border-left: 4px solid #d98e04; background: #fff8e6; }
blockquote p { margin: 2pt 0; }
hr { border: none; border-top: 1px solid #c8d1da; margin: 12pt 0 6pt; }
.st-pass { color: #1a7f37; font-weight: bold; }
.st-fail { color: #cf222e; font-weight: bold; }
.st-error { color: #9a6700; font-weight: bold; }
.st-skip { color: #57606a; }
`;
