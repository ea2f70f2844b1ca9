/**
 * Text people type and others read (names, job titles, a proxy reason): any
 * script and punctuation, but no control characters, and no bidirectional
 * embeddings, overrides or isolates (U+202A–U+202E, U+2066–U+2069), which make
 * text display as other text ("abc\u202Egnp.exe" reads "abcexe.png") and would
 * let one name pass for another in lists, the audit log and the proxy banner.
 * Plain module: the browser checks the same rule before a round trip.
 */
export const PLAIN_TEXT = /^[^\p{Cc}\u202A-\u202E\u2066-\u2069]*$/u;
