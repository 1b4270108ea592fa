import { BadInputError } from './errors.js';

/**
 * A `docker images --filter reference=` pattern as an anchored POSIX regular
 * expression, with Go's path.Match rules: `*` is any run of characters but
 * `/`, `?` one such character, `[…]` a class of characters and ranges
 * (`[^…]` negated), `\` quotes the next character.
 */
export function patternToRegex(pattern: string): string {
  const chars = [...pattern];
  let regex = '';
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i]!;
    if (char === '*') regex += '[^/]*';
    else if (char === '?') regex += '[^/]';
    else if (char === '[') {
      const [cls, end] = characterClass(chars, i, pattern);
      regex += cls;
      i = end;
    } else if (char === '\\') {
      if (i + 1 === chars.length) throw badPattern(pattern);
      regex += quote(chars[++i]!);
    } else regex += quote(char);
  }
  return `^${regex}$`;
}

/** The class that opens at `open`: its regular expression and the index of its `]`. */
function characterClass(chars: string[], open: number, pattern: string): [string, number] {
  let i = open + 1;
  const negated = chars[i] === '^';
  if (negated) i++;
  let body = '';
  // One character or range at a time, until the `]` that follows at least one.
  do {
    const low = classChar(chars, i, pattern);
    i = low.next;
    if (chars[i] === '-' && chars[i + 1] !== undefined && chars[i + 1] !== ']') {
      const high = classChar(chars, i + 1, pattern);
      if (high.char < low.char) throw badPattern(pattern);
      body += `${quoteInClass(low.char)}-${quoteInClass(high.char)}`;
      i = high.next;
    } else {
      body += quoteInClass(low.char);
    }
    if (i >= chars.length) throw badPattern(pattern);
  } while (chars[i] !== ']');
  return [`[${negated ? '^' : ''}${body}]`, i];
}

function classChar(chars: string[], at: number, pattern: string): { char: string; next: number } {
  const char = chars[at];
  if (char === undefined || char === ']' || char === '-') throw badPattern(pattern);
  if (char !== '\\') return { char, next: at + 1 };
  const quoted = chars[at + 1];
  if (quoted === undefined) throw badPattern(pattern);
  return { char: quoted, next: at + 2 };
}

function quote(char: string): string {
  return /[A-Za-z0-9]/.test(char) ? char : `\\${char}`;
}

function quoteInClass(char: string): string {
  // `[` too: `[:`, `[.` and `[=` open classes of their own in PostgreSQL's syntax.
  return /[[\]\\^-]/.test(char) ? `\\${char}` : char;
}

function badPattern(pattern: string): BadInputError {
  return new BadInputError(
    `the reference pattern "${pattern}" is malformed (Go's path.Match syntax)`,
  );
}
