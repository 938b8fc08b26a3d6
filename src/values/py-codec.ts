/**
 * Python codec names (the `encoding=` of b64encode/b64decode, the ini lookup, ...) as Node's
 * encodings, the one place philote reads them. 'utf-16' is Python's: a byte-order mark first
 * (little-endian here), and read back by it. Undefined for a name not listed here.
 */
export interface PyCodec {
  node: BufferEncoding;
  bom: boolean;
}

export function pyCodec(name: string): PyCodec | undefined {
  const n = name.toLowerCase().replace(/_/g, '-');
  if (n === 'utf-8' || n === 'utf8' || n === 'u8') return { node: 'utf8', bom: false };
  if (n === 'utf-16-le' || n === 'utf-16le') return { node: 'utf16le', bom: false };
  if (n === 'utf-16' || n === 'utf16') return { node: 'utf16le', bom: true };
  if (['latin-1', 'latin1', 'iso-8859-1', 'iso8859-1', 'l1', 'iso8859', '8859', 'cp819'].includes(n)) return { node: 'latin1', bom: false };
  if (n === 'ascii' || n === 'us-ascii') return { node: 'ascii', bom: false };
  return undefined;
}
