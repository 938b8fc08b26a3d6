/** Minimal Python datetime/timedelta for to_datetime, strftime and date arithmetic in templates. */
import { NO_ATTR, PyCallable } from './callable.js';
import { makeFloat, num } from './values.js';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const p2 = (n: number): string => String(n).padStart(2, '0');

/** Python time.strftime on a JS Date (in local time unless utc). */
export function strftime(fmt: string, d: Date, utc = false): string {
  const g = {
    Y: utc ? d.getUTCFullYear() : d.getFullYear(),
    m: (utc ? d.getUTCMonth() : d.getMonth()) + 1,
    d: utc ? d.getUTCDate() : d.getDate(),
    H: utc ? d.getUTCHours() : d.getHours(),
    M: utc ? d.getUTCMinutes() : d.getMinutes(),
    S: utc ? d.getUTCSeconds() : d.getSeconds(),
    w: utc ? d.getUTCDay() : d.getDay(),
  };
  const start = utc ? Date.UTC(g.Y, 0, 1) : new Date(g.Y, 0, 1).getTime();
  const dayOfYear = Math.floor((d.getTime() - start) / 86400000) + 1;
  return fmt.replace(/%([a-zA-Z%])/g, (m, c: string) => {
    switch (c) {
      case 'Y': return String(g.Y);
      case 'y': return p2(g.Y % 100);
      case 'm': return p2(g.m);
      case 'd': return p2(g.d);
      case 'e': return String(g.d).padStart(2, ' ');
      case 'H': return p2(g.H);
      case 'I': return p2(g.H % 12 || 12);
      case 'M': return p2(g.M);
      case 'S': return p2(g.S);
      case 'p': return g.H < 12 ? 'AM' : 'PM';
      case 'a': return DAYS[g.w]!.slice(0, 3);
      case 'A': return DAYS[g.w]!;
      case 'b': return MONTHS[g.m - 1]!.slice(0, 3);
      case 'B': return MONTHS[g.m - 1]!;
      case 'j': return String(dayOfYear).padStart(3, '0');
      case 'w': return String(g.w);
      case 'u': return String(g.w || 7);
      case 's': return String(Math.floor(d.getTime() / 1000));
      case 'F': return `${g.Y}-${p2(g.m)}-${p2(g.d)}`;
      case 'T': return `${p2(g.H)}:${p2(g.M)}:${p2(g.S)}`;
      case 'f': return String((utc ? d.getUTCMilliseconds() : d.getMilliseconds()) * 1000).padStart(6, '0');
      case 'z': {
        if (utc) return '+0000';
        const off = -d.getTimezoneOffset();
        return (off >= 0 ? '+' : '-') + p2(Math.floor(Math.abs(off) / 60)) + p2(Math.abs(off) % 60);
      }
      case '%': return '%';
      default: return m;
    }
  });
}

export class PyTimedelta {
  readonly pyTypeName = 'timedelta';
  readonly pyQualName = 'datetime.timedelta';
  constructor(readonly ms: number) {}
  pyOrderKey(): number {
    return this.ms;
  }
  getAttr(name: string): unknown {
    const totalSec = this.ms / 1000;
    const days = Math.floor(totalSec / 86400);
    if (name === 'days') return days;
    if (name === 'seconds') return Math.floor(totalSec - days * 86400);
    if (name === 'microseconds') return Math.round((this.ms % 1000) * 1000);
    if (name === 'total_seconds') return new PyCallable('total_seconds', () => makeFloat(totalSec));
    return NO_ATTR;
  }
  toString(): string {
    const totalSec = this.ms / 1000;
    const days = Math.floor(totalSec / 86400);
    let rest = totalSec - days * 86400;
    const h = Math.floor(rest / 3600);
    rest -= h * 3600;
    const m = Math.floor(rest / 60);
    const s = rest - m * 60;
    const hms = `${h}:${p2(m)}:${p2(Math.floor(s))}${s % 1 ? '.' + String(Math.round((s % 1) * 1e6)).padStart(6, '0') : ''}`;
    return days ? `${days} day${Math.abs(days) === 1 ? '' : 's'}, ${hms}` : hms;
  }
}

/** Python's datetime.now()/fromtimestamp(): the local wall clock of `d` as a naive datetime's Date. */
export function naiveLocal(d: Date): Date {
  return new Date(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds()));
}

/** A naive datetime; stored as a UTC Date whose fields are the naive wall-clock fields. */
export class PyDatetime {
  readonly pyTypeName = 'datetime';
  readonly pyQualName = 'datetime.datetime';
  constructor(readonly date: Date) {}
  pyOrderKey(): number {
    return this.date.getTime();
  }
  getAttr(name: string): unknown {
    const d = this.date;
    switch (name) {
      case 'year': return d.getUTCFullYear();
      case 'month': return d.getUTCMonth() + 1;
      case 'day': return d.getUTCDate();
      case 'hour': return d.getUTCHours();
      case 'minute': return d.getUTCMinutes();
      case 'second': return d.getUTCSeconds();
      case 'microsecond': return d.getUTCMilliseconds() * 1000;
      case 'strftime': return new PyCallable('strftime', (a) => strftime(String(a[0]), d, true));
      case 'isoformat': return new PyCallable('isoformat', () => strftime('%Y-%m-%dT%H:%M:%S', d, true));
      case 'timestamp': return new PyCallable('timestamp', () => makeFloat(new Date(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()).getTime() / 1000));
      case 'date': return new PyCallable('date', () => strftime('%Y-%m-%d', d, true));
      case 'weekday': return new PyCallable('weekday', () => (d.getUTCDay() + 6) % 7);
    }
    return NO_ATTR;
  }
  toString(): string {
    const us = this.date.getUTCMilliseconds();
    return strftime('%Y-%m-%d %H:%M:%S', this.date, true) + (us ? '.' + String(us * 1000).padStart(6, '0') : '');
  }
}

/** Python datetime.strptime for the common directives. */
export function strptime(text: string, fmt: string): PyDatetime {
  const fields: Record<string, number> = { Y: 1900, m: 1, d: 1, H: 0, M: 0, S: 0, f: 0 };
  let re = '^';
  const order: string[] = [];
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c === '%' && i + 1 < fmt.length) {
      const d = fmt[++i]!;
      order.push(d);
      if (d === 'Y') re += '(\\d{4})';
      else if (d === 'f') re += '(\\d{1,6})';
      else if (d === 'b' || d === 'B') re += '([A-Za-z]+)';
      else if (d === 'p') re += '(AM|PM|am|pm)';
      else if (d === '%') {
        order.pop();
        re += '%';
      } else re += '(\\d{1,2})';
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  const m = new RegExp(re + '$').exec(text);
  if (!m) throw new Error(`time data '${text}' does not match format '${fmt}'`);
  let pm = false;
  order.forEach((d, i) => {
    const v = m[i + 1]!;
    if (d === 'b' || d === 'B') fields['m'] = MONTHS.findIndex((x) => x.toLowerCase().startsWith(v.toLowerCase().slice(0, 3))) + 1;
    else if (d === 'p') pm = v.toUpperCase() === 'PM';
    else if (d === 'f') fields['f'] = Number(v.padEnd(6, '0'));
    else if (d === 'y') fields['Y'] = 2000 + Number(v) - (Number(v) >= 69 ? 100 : 0);
    else if (d === 'I') fields['H'] = Number(v) % 12;
    else fields[d] = Number(v);
  });
  if (pm) fields['H'] = fields['H']! + 12;
  return new PyDatetime(new Date(Date.UTC(fields['Y']!, fields['m']! - 1, fields['d']!, fields['H']!, fields['M']!, fields['S']!, Math.floor(fields['f']! / 1000))));
}

export function dateSub(a: unknown, b: unknown): unknown {
  if (a instanceof PyDatetime && b instanceof PyDatetime) return new PyTimedelta(a.date.getTime() - b.date.getTime());
  if (a instanceof PyDatetime && b instanceof PyTimedelta) return new PyDatetime(new Date(a.date.getTime() - b.ms));
  return undefined;
}

export function secondsToDate(sec: unknown): Date {
  return new Date(num(sec) * 1000);
}
