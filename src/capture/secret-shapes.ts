/**
 * Provider credential shapes: values that are secrets whatever field, header, parameter or path
 * segment they sit in. The list covers every provider of secretlint's recommended preset (AWS,
 * GCP, GitHub, GitLab, Slack, npm, OpenAI, Anthropic, SendGrid, Shopify, Linear, 1Password,
 * private keys, basic auth in URLs) plus Stripe; `test/security/secret-shapes.test.ts` holds one
 * test per shape. Every pattern here is linear: literal prefixes followed by bounded character
 * classes, with no nested quantifiers.
 */
export interface SecretShape {
  /** Who issues it, for tests and docs. */
  readonly provider: string;
  /** Regular expression source; must not contain capturing groups. */
  readonly pattern: string;
  /** A literal prefix (or a regex source that finds a prefix) that every match contains: the cheap pre-test. */
  readonly hint: string;
}

/** Not glued to a preceding word character: `xsk-proj-…` is no key, `/sk-proj-…` is. */
const START = '(?<![A-Za-z0-9_])';
/** Not continued by a word character. */
const END = '(?![A-Za-z0-9_])';

export const SECRET_SHAPES: readonly SecretShape[] = Object.freeze([
  { provider: 'AWS access key id', pattern: `${START}(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|AROA|ANPA|ANVA|APKA)[A-Z0-9]{16}${END}`, hint: '(?:A3T|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|AROA|ANPA|ANVA|APKA)' },
  { provider: 'GCP API key', pattern: `${START}AIza[0-9A-Za-z_-]{35}`, hint: 'AIza' },
  { provider: 'GCP OAuth client secret', pattern: `${START}GOCSPX-[0-9A-Za-z_-]{20,}`, hint: 'GOCSPX-' },
  { provider: 'Google OAuth access token', pattern: `${START}ya29\\.[0-9A-Za-z_-]{20,}`, hint: 'ya29\\.' },
  { provider: 'GitHub token', pattern: `${START}gh[pousr]_[A-Za-z0-9]{30,255}${END}`, hint: 'gh[pousr]_' },
  { provider: 'GitHub fine-grained token', pattern: `${START}github_pat_[A-Za-z0-9_]{22,255}`, hint: 'github_pat_' },
  {
    provider: 'GitLab token',
    pattern: `${START}(?:glpat|gldt|glptt|glrt|gloas|glcbt|glimt|glsoat|glffct|glagent|glft|glwt|glsa)-[A-Za-z0-9_-]{20,}`,
    hint: 'gl[a-z]{2,6}-',
  },
  { provider: 'GitLab runner registration token', pattern: `${START}GR1348941[A-Za-z0-9_-]{20,}`, hint: 'GR1348941' },
  { provider: 'Slack token', pattern: `${START}xox(?:[abposre]|e\\.xox[bp])-[A-Za-z0-9-]{10,}`, hint: 'xox' },
  { provider: 'Slack app token', pattern: `${START}xapp-\\d-[A-Za-z0-9-]{10,}`, hint: 'xapp-' },
  { provider: 'Slack webhook', pattern: 'https://hooks\\.slack\\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/-]{10,}', hint: 'hooks\\.slack\\.com' },
  { provider: 'npm token', pattern: `${START}npm_[A-Za-z0-9]{36}${END}`, hint: 'npm_' },
  { provider: 'OpenAI key', pattern: `${START}sk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,}`, hint: 'sk-' },
  { provider: 'OpenAI legacy key', pattern: `${START}sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}`, hint: 'T3BlbkFJ' },
  { provider: 'OpenAI-style key', pattern: `${START}sk-[A-Za-z0-9]{32,}${END}`, hint: 'sk-' },
  { provider: 'Anthropic key', pattern: `${START}sk-ant-(?:api|admin)\\d{2}-[A-Za-z0-9_-]{32,}`, hint: 'sk-ant-' },
  { provider: 'SendGrid key', pattern: `${START}SG\\.[A-Za-z0-9_-]{16,32}\\.[A-Za-z0-9_-]{16,64}`, hint: 'SG\\.' },
  { provider: 'Shopify token', pattern: `${START}shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}${END}`, hint: 'shp[a-z]{2}_' },
  { provider: 'Linear key', pattern: `${START}lin_(?:api|oauth)_[A-Za-z0-9]{32,}`, hint: 'lin_' },
  { provider: '1Password service account token', pattern: `${START}ops_eyJ[A-Za-z0-9+/=_-]{20,}`, hint: 'ops_eyJ' },
  { provider: 'HashiCorp Vault token', pattern: `${START}hv[sbr]\\.[A-Za-z0-9_-]{24,}`, hint: 'hv[sbr]\\.' },
  { provider: 'Stripe key', pattern: `${START}(?:(?:sk|rk)_(?:live|test)|whsec)_[A-Za-z0-9]{6,}`, hint: '(?:[sr]k_(?:live|test)|whsec)_' },
  {
    provider: 'private key',
    // A block cut off (a truncated body) is redacted to the end of the text.
    pattern: '-----BEGIN[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----(?:[\\s\\S]*?-----END[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----|[\\s\\S]*$)',
    hint: 'PRIVATE KEY',
  },
  {
    provider: 'basic auth in a URL',
    pattern: '(?<=[A-Za-z][A-Za-z0-9+.-]{0,30}://)[^\\s/?#@:"\'<>\\\\]{1,256}:[^\\s/?#@"\'<>\\\\]{1,256}(?=@)',
    hint: '://',
  },
]);

/** All shapes as one alternation (no capturing groups inside). */
export const SECRET_SHAPES_SOURCE: string = SECRET_SHAPES.map((shape) => `(?:${shape.pattern})`).join('|');

/** Any hint: a text without one holds none of the shapes. */
export const SECRET_SHAPES_HINT: string = SECRET_SHAPES.map((shape) => shape.hint).join('|');
