/** Appends each complete line a child process writes on `stream` to `into` (the last one at its end). */
export function collectLines(stream: NodeJS.ReadableStream, into: string[]): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop()!;
    into.push(...parts);
  });
  stream.on('end', () => rest && into.push(rest));
}
