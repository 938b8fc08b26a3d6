/**
 * A lab name unique to this test run (process id and a random part), so two suites on one machine
 * never share or tear down each other's lab. Lab names are at most 21 characters.
 */
import { randomBytes } from 'node:crypto';

export function uniqueLabName(prefix: string): string {
  const tail = `${process.pid.toString(36)}${randomBytes(2).toString('hex')}`;
  return `${prefix.slice(0, 20 - tail.length)}-${tail}`.toLowerCase();
}
