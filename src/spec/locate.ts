import { type Document, isMap, isPair, isScalar, isSeq, type LineCounter, type Node } from 'yaml';

/**
 * Finds where a path of a parsed YAML document is written, for error messages. Returns the
 * value's position when the path exists, the key's position when `atKey` is set (unknown
 * keys), or the nearest existing ancestor's position when it does not exist (missing keys).
 */
export function locatePath(
  doc: Document,
  lines: LineCounter,
  path: ReadonlyArray<PropertyKey>,
  atKey?: string,
): { line: number; col: number } {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (const seg of path) {
    const next = child(node, seg);
    if (!next) break;
    offset = rangeStart(next.keyNode) ?? rangeStart(next.value) ?? offset;
    node = next.value;
    const vs = rangeStart(node);
    if (vs !== undefined) offset = vs;
  }
  if (atKey !== undefined) {
    const k = child(node, atKey);
    const ks = k ? rangeStart(k.keyNode) : undefined;
    if (ks !== undefined) offset = ks;
  }
  const pos = lines.linePos(offset);
  return { line: pos.line, col: pos.col };
}

function child(node: unknown, seg: PropertyKey): { keyNode: unknown; value: unknown } | undefined {
  if (isMap(node)) {
    for (const item of node.items) {
      if (!isPair(item)) continue;
      const k = isScalar(item.key) ? item.key.value : item.key;
      if (String(k) === String(seg)) return { keyNode: item.key, value: item.value };
    }
    return undefined;
  }
  if (isSeq(node) && typeof seg === 'number') {
    const v = node.items[seg];
    return v === undefined ? undefined : { keyNode: undefined, value: v };
  }
  return undefined;
}

function rangeStart(node: unknown): number | undefined {
  const r = (node as Node | undefined)?.range;
  return Array.isArray(r) ? r[0] : undefined;
}
