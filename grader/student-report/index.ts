/** The student's report as evidence: what it says, pasted output and screenshots, with file and line. Pure. */
export { REPORT_LIMITS, hintOf, readMarkdownReport, readReport } from './read-report.ts';
export { decodeReportBytes, type DecodeResult } from './decode.ts';
export { describeInputError, describeReport, reportJson } from './describe.ts';
export { imageLocation } from './images.ts';
export type * from './types.ts';
