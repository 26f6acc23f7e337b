import { htmlEscape, percentFormat } from './text.js';

/** CPython 3.13's `http.server.DEFAULT_ERROR_MESSAGE`, byte for byte. */
export const DEFAULT_ERROR_MESSAGE = `<!DOCTYPE HTML>
<html lang="en">
    <head>
        <meta charset="utf-8">
        <title>Error response</title>
    </head>
    <body>
        <h1>Error response</h1>
        <p>Error code: %(code)d</p>
        <p>Message: %(message)s.</p>
        <p>Error code explanation: %(code)s - %(explain)s.</p>
    </body>
</html>
`;

/** CPython 3.13's `http.server.DEFAULT_ERROR_CONTENT_TYPE`. */
export const DEFAULT_ERROR_CONTENT_TYPE = 'text/html;charset=utf-8';

/** The error page for `format` with HTML-escaped message and explanation (CPython bug #1100201). */
export function renderErrorPage(format: string, code: number, message: string, explain: string): string {
  return percentFormat(format, { code, message: htmlEscape(message), explain: htmlEscape(explain) });
}
