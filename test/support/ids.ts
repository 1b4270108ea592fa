/** An image ID's short form, as Docker prints it: its first 12 hex digits, without `sha256:`. */
export function shortId(id: string): string {
  return id.slice(7, 19);
}
