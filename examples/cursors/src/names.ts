// What a visitor is called, the same on a cursor's label and in the active-users panel.

/** The name a visitor gave, else "Visitor" and the start of their public id. */
export function displayName(visitor: { id: string; name?: string | null | undefined }): string {
  return visitor.name || `Visitor ${visitor.id.slice(0, 6)}`;
}

/**
 * A name as the server keeps it (see `visitorFrom`): trimmed, at most 40 characters, without control
 * characters; '' for none.
 */
export function cleanName(text: string): string {
  return Array.from(text.replace(/\p{C}/gu, '').trim()).slice(0, 40).join('').trim();
}
