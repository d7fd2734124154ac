/** What every masked secret becomes. */
export const REDACTED = '[redacted]';

/** Secrets shorter than this are not masked where they merely occur (too many false hits), only by name. */
export const MIN_MASKED_LENGTH = 4;

/** The secrets of one external system, as the dispatcher holds them while it talks to that system. */
export interface SystemSecrets {
  /** Not secret by itself; with the password it makes the basic-auth header value. */
  username?: string | null;
  password?: string | null;
  /** The static bearer token. */
  token?: string | null;
  /** Not secret by itself; with the client secret it makes the token request's basic-auth header value. */
  clientId?: string | null;
  clientSecret?: string | null;
  /** The OAuth2 access token currently in use. */
  accessToken?: string | null;
}

/**
 * Names that say their value is a secret, whatever the value: password, client_secret, access_token,
 * refresh_token, authorization, x-api-key, cookie, credentials, private_key … (case, `-` and `_` ignored;
 * token_type or expires_in are not among them).
 */
const SECRET_NAME = /(password|passwd|pwd|secret|token|apikey|authorization|cookie|credentials?|privatekey)$/;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name.toLowerCase().replace(/[-_]/g, ''));
}

const NAME_IN_TEXT = String.raw`[A-Za-z0-9_-]*?(?:password|passwd|pwd|secret|token|api[_-]?key|authorization|cookie|credentials?|private[_-]?key)`;
/** `Authorization: Basic …` header lines, as an echo of the request shows them. */
const HEADER_LINE = new RegExp(
  String.raw`(^|[\r\n])([ \t]*(?:proxy-)?(?:authorization|cookie|set-cookie|x-api-key)[ \t]*:[ \t]*)[^\r\n]*`,
  'gi',
);
/** `client_secret=…` in a query string or a form body. */
const FORM_FIELD = new RegExp(String.raw`(^|[?&;\s])(${NAME_IN_TEXT})=([^&\s"';]*)`, 'gi');
/** `"password": "…"` in JSON that is only text (cut off, or inside a message). */
const JSON_FIELD = new RegExp(String.raw`("${NAME_IN_TEXT}"\s*:\s*)"(?:[^"\\]|\\.)*"`, 'gi');

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const base64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** A value as it may appear in a text: as it is, URL- and form-encoded, and escaped inside a JSON string. */
function spellings(value: string): string[] {
  const uri = encodeURIComponent(value);
  const json = JSON.stringify(value).slice(1, -1);
  return [
    value,
    uri,
    uri.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    new URLSearchParams({ v: value }).toString().slice(2),
    json,
    json.replace(/\//g, '\\/'),
  ];
}

/**
 * Masks the secrets of one external system in what that system answered or what went wrong talking to
 * it, before it is stored or shown (OutboundRequest.responseBody and error texts are readable by any
 * VIEWER). A pure value object: build one per system (and access token), use it for every text.
 *
 * - **By value**: every occurrence of the password, the bearer token, the client secret and the OAuth2
 *   access token, and of the basic-auth header values derived from them (`base64(username:password)`,
 *   `base64(clientId:clientSecret)` with and without URL-encoding, as the token request sends it), each
 *   also URL-encoded, form-encoded and JSON-escaped, becomes REDACTED. Secrets shorter than
 *   MIN_MASKED_LENGTH are not masked by value.
 * - **By name**: in JSON, the value of any key named like a secret (isSecretName) becomes REDACTED
 *   (null and empty values stay as they are); in text, `Authorization: …` header lines,
 *   `client_secret=…` form fields and `"password": "…"` JSON fragments.
 *
 * ```ts
 * const mask = SecretMask.of({ username, password, accessToken });
 * const stored = { error: mask.text(err.message), body: mask.json(JSON.parse(response.bodyText)) };
 * ```
 */
export class SecretMask {
  private readonly pattern: RegExp | null;

  private constructor(values: string[]) {
    const forms = [...new Set(values.flatMap(spellings))].filter((f) => f.length >= MIN_MASKED_LENGTH);
    // Longest first, so a secret that contains another is masked whole.
    forms.sort((a, b) => b.length - a.length);
    this.pattern = forms.length ? new RegExp(forms.map(escapeRegExp).join('|'), 'g') : null;
  }

  /** The mask for one system's secrets; absent or empty ones are ignored. */
  static of(secrets: SystemSecrets): SecretMask {
    const s = (v: string | null | undefined) => (typeof v === 'string' && v !== '' ? v : null);
    const values = [s(secrets.password), s(secrets.token), s(secrets.clientSecret), s(secrets.accessToken)].filter(
      (v): v is string => v !== null && v.length >= MIN_MASKED_LENGTH,
    );
    const username = s(secrets.username);
    const password = s(secrets.password);
    if (password !== null) values.push(base64(`${username ?? ''}:${password}`));
    const clientId = s(secrets.clientId);
    const clientSecret = s(secrets.clientSecret);
    if (clientSecret !== null) {
      values.push(base64(`${clientId ?? ''}:${clientSecret}`));
      values.push(base64(`${encodeURIComponent(clientId ?? '')}:${encodeURIComponent(clientSecret)}`));
    }
    return new SecretMask(values);
  }

  /** A mask of plain secret values (the process's own: JWT_SECRET, ENCRYPTION_KEY, the database password). */
  static ofValues(values: (string | null | undefined)[]): SecretMask {
    return new SecretMask(values.filter((v): v is string => typeof v === 'string' && v.length >= MIN_MASKED_LENGTH));
  }

  /** The text with every secret (by value) and every secret-named header, form field or JSON field masked. */
  text(text: string): string {
    const byValue = this.pattern ? text.replace(this.pattern, REDACTED) : text;
    return byValue
      .replace(HEADER_LINE, `$1$2${REDACTED}`)
      .replace(FORM_FIELD, (_m, lead: string, name: string, value: string) => `${lead}${name}=${value === '' ? '' : REDACTED}`)
      .replace(JSON_FIELD, `$1"${REDACTED}"`);
  }

  /**
   * A copy of a JSON value with secrets masked in every key and string, however deep (without
   * recursion), and the value of every secret-named key replaced whole. The input is not changed.
   */
  json<T>(value: T): T {
    const out: { v?: unknown } = {};
    const stack: [unknown, (v: unknown) => void][] = [[value, (v) => (out.v = v)]];
    while (stack.length) {
      const [v, set] = stack.pop()!;
      if (typeof v === 'string') {
        set(this.text(v));
      } else if (Array.isArray(v)) {
        const copy: unknown[] = new Array(v.length);
        set(copy);
        v.forEach((item, i) => stack.push([item, (x) => (copy[i] = x)]));
      } else if (v !== null && typeof v === 'object') {
        const copy: Record<string, unknown> = {};
        set(copy);
        for (const [key, item] of Object.entries(v)) {
          const masked = this.text(key);
          // defineProperty: a "__proto__" key stays a key. Keys are laid out now, so their order is kept.
          Object.defineProperty(copy, masked, { value: null, enumerable: true, writable: true, configurable: true });
          if (isSecretName(key) && item !== null && item !== '') copy[masked] = REDACTED;
          else stack.push([item, (x) => (copy[masked] = x)]);
        }
      } else {
        set(v);
      }
    }
    return out.v as T;
  }
}
