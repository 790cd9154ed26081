// No browser download (CI reaches only the npm registry); the grader uses the
// system Chromium, see grader/report/browser.ts.
module.exports = { skipDownload: true };
