/**
 * A row as pg returns it. Each adapter's mapper (toRecord, toView, …) is the
 * one place that reads its columns and gives them types, so the row itself
 * stays loose rather than repeating every table's shape twice.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- column values are typed by the mappers
export type Row = Record<string, any>;
