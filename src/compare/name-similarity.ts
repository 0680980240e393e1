/**
 * How alike two field names are, from 0 to 1, for pairing a field the fixture has and reality
 * lost with one reality gained. Names are compared as words: `transaction_id`, `transactionId`
 * and `txn_id` are the same words once case, separators and common abbreviations are undone.
 */
export function nameSimilarity(a: string, b: string): number {
  const wordsA = canonicalWords(a);
  const wordsB = canonicalWords(b);
  if (wordsA.length === 0 || wordsB.length === 0) return 0;
  const joinedA = wordsA.join('');
  const joinedB = wordsB.join('');
  if (joinedA === joinedB) return 1;

  const setA = new Set(wordsA);
  const setB = new Set(wordsB);
  const shared = [...setA].filter((word) => setB.has(word)).length;
  const jaccard = shared / new Set([...setA, ...setB]).size;
  const edit = 1 - levenshtein(joinedA, joinedB) / Math.max(joinedA.length, joinedB.length);
  // `email` → `email_address`, `total` → `total_count`: one name is the other with a word added.
  const contained = shared > 0 && shared === Math.min(setA.size, setB.size) ? 0.75 : 0;
  return Math.max(jaccard, edit, contained);
}

/** Common abbreviations in API field names, mapped to the word they stand for. */
const ABBREVIATIONS: Readonly<Record<string, string>> = {
  txn: 'transaction',
  tx: 'transaction',
  trx: 'transaction',
  qty: 'quantity',
  amt: 'amount',
  desc: 'description',
  descr: 'description',
  num: 'number',
  no: 'number',
  nr: 'number',
  addr: 'address',
  msg: 'message',
  ts: 'timestamp',
  ref: 'reference',
  cust: 'customer',
  org: 'organization',
  organisation: 'organization',
  acct: 'account',
  acc: 'account',
  img: 'image',
  pct: 'percent',
  cnt: 'count',
  ccy: 'currency',
  curr: 'currency',
  dt: 'date',
  usr: 'user',
  pwd: 'password',
  src: 'source',
  dst: 'destination',
  dest: 'destination',
  cfg: 'config',
  conf: 'config',
  info: 'information',
  max: 'maximum',
  min: 'minimum',
  avg: 'average',
  tel: 'telephone',
  phone: 'telephone',
  lang: 'language',
  loc: 'location',
  pos: 'position',
  prev: 'previous',
  seq: 'sequence',
  stat: 'status',
  sts: 'status',
  ship: 'shipment',
  shp: 'shipment',
  wt: 'weight',
  wgt: 'weight',
  lbl: 'label',
  auth: 'authorization',
  identifier: 'id',
  created: 'create',
  updated: 'update',
  deleted: 'delete',
};

/** The words of a name, lower-case, abbreviations expanded: `txnID` → [transaction, id]. */
export function canonicalWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '')
    .map((word) => ABBREVIATIONS[word] ?? word);
}

/** Edit distance (insertions, deletions, substitutions), two rows at a time. */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}
