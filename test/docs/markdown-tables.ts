// Reads the tables of a Markdown document, so a test can hold a doc's reference tables against the
// values in the code.

/** One row of a table: its cells (trimmed, backticks and bold kept out) and its line in the document. */
export interface Row {
  cells: string[];
  line: number;
}

/** A table: its header cells and its rows, below the separator. */
export interface Table {
  header: string[];
  rows: Row[];
}

function cellsOf(line: string): string[] {
  // `\|` is a pipe inside a cell, not a border.
  const cells = line.trim().replace(/^\|/, '').replace(/\|$/, '').split(/(?<!\\)\|/);
  return cells.map((cell) => cell.replace(/\\\|/g, '|').replace(/`|\*\*/g, '').trim());
}

/**
 * The `index`-th table (0 for the first) after the heading whose text starts with `heading` (`### 8.2`)
 * and before the next heading of the same or a higher level. Throws, naming what is missing, when
 * there is no such heading or table.
 */
export function tableAfter(markdown: string, heading: string, index = 0): Table {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.startsWith(heading));
  if (start < 0) throw new Error(`no heading "${heading}"`);
  const level = /^#+/.exec(heading)![0].length;
  const tables: Table[] = [];
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i]!;
    const depth = /^(#+) /.exec(line)?.[1]!.length;
    if (depth !== undefined && depth <= level) break;
    if (!line.startsWith('|') || !/^\|[\s|:-]+\|$/.test(lines[i + 1]?.trim() ?? '')) continue;
    const table: Table = { header: cellsOf(line), rows: [] };
    for (i += 2; i < lines.length && lines[i]!.startsWith('|'); i++) table.rows.push({ cells: cellsOf(lines[i]!), line: i + 1 });
    tables.push(table);
  }
  const table = tables[index];
  if (!table) throw new Error(`no table ${index + 1} under "${heading}" (found ${tables.length})`);
  return table;
}

/** The headings of the document, as written after their #s (`` `topic.subscribe` `` stays quoted). */
export function headings(markdown: string): string[] {
  return markdown.split('\n').flatMap((line) => /^#+ (.*)$/.exec(line)?.[1] ?? []);
}
