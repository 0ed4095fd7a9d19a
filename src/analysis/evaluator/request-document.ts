/**
 * Request documents for `trustmesh check --request`: one JSON object, a JSON array of objects, or
 * JSON Lines. Each request is validated by {@link parseAccessRequest}; errors name the file, the
 * line and the field.
 *
 * @module
 */
import { TrustmeshAggregateError, TrustmeshError } from '../../errors';
import { AccessRequest } from '../../semantics/access-request';
import { parseAccessRequest } from '../../semantics/parse-access-request';

/** Result of {@link parseAccessRequestDocument}. */
export interface ParsedRequestDocument {
  /** `json`: one object (or an array); `jsonl`: one object per non-blank line. */
  readonly format: 'json' | 'jsonl';
  readonly requests: readonly AccessRequest[];
}

/**
 * Parses a request document: one JSON object, a JSON array of objects, or JSON Lines (one object
 * per non-blank line). Errors name the file, the line and the field.
 *
 * Every bad request of an array or a JSON Lines file is reported, not only the first.
 *
 * @throws TrustmeshError `TM_REQUEST_PARSE` for JSON syntax errors, `TM_REQUEST_INVALID` for bad fields;
 *   `TrustmeshAggregateError` `TM_REQUEST_INVALID` listing each bad request of an array or JSON Lines file.
 */
export function parseAccessRequestDocument(text: string, file = '<request>'): ParsedRequestDocument {
  const trimmed = text.trim();
  if (trimmed === '') {
    throw new TrustmeshError('TM_REQUEST_PARSE', 'the request document is empty', {
      location: { file },
      allowed: 'one JSON object, a JSON array, or JSON Lines',
    });
  }
  let whole: unknown;
  let wholeError: unknown;
  try {
    whole = JSON.parse(text);
  } catch (e) {
    wholeError = e;
  }
  if (wholeError === undefined) {
    if (Array.isArray(whole)) {
      return { format: 'json', requests: parseEach(whole.map((r: unknown, index) => () => parseAccessRequest(r, { file, index })), file) };
    }
    return { format: 'json', requests: [parseAccessRequest(whole, { file, line: firstContentLine(text) })] };
  }

  const lines = text.split(/\r?\n/);
  const firstIndex = lines.findIndex((l) => l.trim() !== '');
  if (!isJson(lines[firstIndex])) {
    // Not JSON Lines either: report the syntax error of the whole document.
    throw jsonSyntaxError(text, wholeError, file, 0);
  }
  const readers: (() => AccessRequest)[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    readers.push(() => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch (e) {
        throw jsonSyntaxError(line, e, file, i);
      }
      return parseAccessRequest(parsed, { file, line: i + 1 });
    });
  });
  return { format: 'jsonl', requests: parseEach(readers, file) };
}

/** Runs every reader; throws one error naming each bad request when any fails. */
function parseEach(readers: readonly (() => AccessRequest)[], file: string): AccessRequest[] {
  const requests: AccessRequest[] = [];
  const errors: TrustmeshError[] = [];
  for (const read of readers) {
    try {
      requests.push(read());
    } catch (e) {
      if (!TrustmeshError.isTrustmeshError(e)) throw e;
      errors.push(e);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) {
    throw new TrustmeshAggregateError('TM_REQUEST_INVALID', `${errors.length} of the ${readers.length} requests in ${file} are invalid`, errors);
  }
  return requests;
}

function isJson(line: string | undefined): boolean {
  if (line === undefined) return false;
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

function firstContentLine(text: string): number {
  const idx = text.search(/\S/);
  return idx < 0 ? 1 : text.slice(0, idx).split('\n').length;
}

function jsonSyntaxError(text: string, e: unknown, file: string, lineOffset: number): TrustmeshError {
  const message = e instanceof Error ? e.message : String(e);
  // Node's messages do not always carry a position, so find the offending offset ourselves.
  const offset = jsonErrorOffset(text);
  const before = text.slice(0, offset);
  const parts = before.split('\n');
  const line = lineOffset + parts.length;
  const column = parts[parts.length - 1].length + 1;
  const summary = message.split('\n')[0].replace(/ in JSON at position \d+.*$/, '').replace(/, "[\s\S]*$/, '');
  return new TrustmeshError('TM_REQUEST_PARSE', `invalid JSON: ${summary}`, {
    location: { file, line, column },
    allowed: 'one JSON object, a JSON array, or JSON Lines (one object per line)',
  });
}

/** Offset of the first JSON syntax error in `text` (a small recursive-descent scanner). */
function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const string = (): void => {
    if (text[i] !== '"') fail();
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if (text[i] < ' ') fail();
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') {i++;} else if (text[i] === '}') {
          i++;
          return;
        } else {fail();}
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {i++;} else if (text[i] === ']') {
          i++;
          return;
        } else {fail();}
      }
    } else if (c === '"') {string();} else if (c === 't') {literal('true');} else if (c === 'f') {literal('false');} else if (c === 'n') {literal('null');} else {
      const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
      if (!m) fail();
      i += (m as RegExpExecArray)[0].length;
    }
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
  } catch (pos) {
    return typeof pos === 'number' ? pos : 0;
  }
  return text.length;
}
