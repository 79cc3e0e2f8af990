/**
 * A small, focused reader for the Python pickles of the CIFAR-100 "python version":
 * dicts of lists/ints/strings/bytes plus numpy uint8 arrays. It implements the opcodes
 * of protocols 0-4 that such files use (no arbitrary object construction): the only
 * callables it will apply are numpy's `_reconstruct` / `dtype` and `_codecs.encode`
 * (how Python 3 writes bytes at protocol 2).
 *
 * Value mapping: dict → Map (bytes/int keys turned into strings), list and tuple → array,
 * str → string, bytes / Python 2 str → Uint8Array (a view into the input), int → number
 * (bigint when not a safe integer), numpy array → NdArray.
 */

export class PyGlobal {
  constructor(readonly module: string, readonly name: string) {}
  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

export class NumpyDtype {
  constructor(readonly str: string) {}
}

/** A numpy ndarray as restored from its BUILD state. */
export class NdArray {
  shape: number[] = [];
  dtype: NumpyDtype | null = null;
  fortranOrder = false;
  data: Uint8Array = new Uint8Array(0);
}

export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PyValue[]
  | Map<string, PyValue>
  | PyGlobal
  | NumpyDtype
  | NdArray;

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes → string the way CIFAR's Python 2 str keys/filenames are meant (one byte per char). */
export function bytesToString(b: Uint8Array): string {
  return latin1.decode(b);
}

const RECONSTRUCT = new Set(['numpy.core.multiarray._reconstruct', 'numpy._core.multiarray._reconstruct']);

/** Parses one pickle. Errors are `Error("<where>: ...")`. */
export function readPickle(bytes: Uint8Array, where: string): PyValue {
  const fail = (what: string): never => {
    throw new Error(`${where}: ${what}`);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const need = (n: number): number => {
    if (pos + n > bytes.length) fail(`truncated pickle (needs ${n} bytes at offset ${pos}, file has ${bytes.length})`);
    const at = pos;
    pos += n;
    return at;
  };
  const u8 = (): number => bytes[need(1)]!;
  const u16 = (): number => view.getUint16(need(2), true);
  const u32 = (): number => view.getUint32(need(4), true);
  const u64 = (): number => {
    const v = view.getBigUint64(need(8), true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`length ${v} too large`);
    return Number(v);
  };
  const take = (n: number): Uint8Array => bytes.subarray(need(n), pos);
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail('truncated pickle (unterminated line)');
    const s = latin1.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const text = (n: number): string => {
    try {
      return utf8.decode(take(n));
    } catch {
      return fail(`invalid UTF-8 string at offset ${pos - n}`);
    }
  };

  let stack: PyValue[] = [];
  const metastack: PyValue[][] = [];
  const memo = new Map<number, PyValue>();
  const pop = (): PyValue => {
    if (stack.length === 0) fail(`stack underflow at offset ${pos - 1}`);
    return stack.pop()!;
  };
  const top = (): PyValue => {
    if (stack.length === 0) fail(`stack underflow at offset ${pos - 1}`);
    return stack[stack.length - 1]!;
  };
  const popMark = (): PyValue[] => {
    const items = stack;
    const prev = metastack.pop();
    if (prev === undefined) fail(`missing MARK at offset ${pos - 1}`);
    stack = prev!;
    return items;
  };
  const asList = (v: PyValue, op: string): PyValue[] =>
    Array.isArray(v) ? v : fail(`${op} on a non-list at offset ${pos - 1}`);
  const asDict = (v: PyValue, op: string): Map<string, PyValue> =>
    v instanceof Map ? v : fail(`${op} on a non-dict at offset ${pos - 1}`);
  const key = (k: PyValue): string => {
    if (typeof k === 'string') return k;
    if (k instanceof Uint8Array) return bytesToString(k);
    if (typeof k === 'number' || typeof k === 'bigint') return String(k);
    return fail(`unsupported dict key type at offset ${pos - 1}`);
  };
  const int = (v: bigint): number | bigint =>
    v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  const long = (b: Uint8Array): number | bigint => {
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    if (b.length > 0 && b[b.length - 1]! >= 0x80) v -= 1n << BigInt(8 * b.length);
    return int(v);
  };
  const reduce = (fn: PyValue, args: PyValue): PyValue => {
    if (!(fn instanceof PyGlobal)) return fail(`REDUCE on a non-callable at offset ${pos - 1}`);
    const a = Array.isArray(args) ? args : fail(`REDUCE with non-tuple arguments at offset ${pos - 1}`);
    const name = fn.qualifiedName;
    if (RECONSTRUCT.has(name)) return new NdArray();
    if (name === 'numpy.dtype') {
      const s = a[0];
      if (typeof s === 'string') return new NumpyDtype(s);
      if (s instanceof Uint8Array) return new NumpyDtype(bytesToString(s));
      return fail('numpy.dtype with a non-string type code');
    }
    if (name === '_codecs.encode') {
      const [s, enc] = a;
      if (typeof s !== 'string' || (enc !== 'latin1' && enc !== 'latin-1')) return fail('unsupported _codecs.encode call');
      const out = new Uint8Array(s.length);
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c > 0xff) fail('_codecs.encode: character outside latin-1');
        out[i] = c;
      }
      return out;
    }
    if ((name === '__builtin__.bytes' || name === 'builtins.bytes') && a.length === 0) return new Uint8Array(0);
    return fail(`unsupported callable ${name} in pickle (only numpy arrays, lists, dicts, strings and ints are read)`);
  };
  const build = (obj: PyValue, state: PyValue): void => {
    if (obj instanceof NumpyDtype) return; // (version, byteorder, ...): irrelevant for the 1-byte types we accept
    if (!(obj instanceof NdArray)) return void fail(`BUILD on an unsupported object at offset ${pos - 1}`);
    if (!Array.isArray(state) || (state.length !== 5 && state.length !== 4)) return void fail('unexpected numpy array state');
    const [shape, dtype, fortran, raw] = state.length === 5 ? state.slice(1) : state;
    if (!Array.isArray(shape) || !shape.every((d): d is number => typeof d === 'number')) return void fail('numpy array with a bad shape');
    if (!(dtype instanceof NumpyDtype)) return void fail('numpy array without a dtype');
    let data: Uint8Array;
    if (raw instanceof Uint8Array) data = raw;
    else if (typeof raw === 'string') data = reduce(new PyGlobal('_codecs', 'encode'), [raw, 'latin1']) as Uint8Array;
    else return void fail('numpy array of objects is not supported (expected raw bytes)');
    obj.shape = shape;
    obj.dtype = dtype;
    obj.fortranOrder = fortran === true || fortran === 1;
    obj.data = data;
  };

  for (;;) {
    const at = pos;
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: u64(); break; // FRAME (protocol 4): frames are just concatenated
      case 0x2e: { // STOP
        const v = pop();
        return v;
      }
      case 0x28: metastack.push(stack); stack = []; break; // MARK
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4a: stack.push(view.getInt32(need(4), true)); break; // BININT
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x8a: stack.push(long(take(u8()))); break; // LONG1
      case 0x8b: stack.push(long(take(u32()))); break; // LONG4
      case 0x49: { // INT (protocol 0), also True/False as 01/00
        const s = line();
        stack.push(s === '01' ? true : s === '00' ? false : int(BigInt(s)));
        break;
      }
      case 0x47: stack.push(view.getFloat64(need(8), false)); break; // BINFLOAT
      case 0x58: stack.push(text(u32())); break; // BINUNICODE
      case 0x8c: stack.push(text(u8())); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(text(u64())); break; // BINUNICODE8
      case 0x55: stack.push(take(u8())); break; // SHORT_BINSTRING
      case 0x54: { // BINSTRING
        const n = view.getInt32(need(4), true);
        if (n < 0) fail(`negative BINSTRING length at offset ${at}`);
        stack.push(take(n));
        break;
      }
      case 0x43: stack.push(take(u8())); break; // SHORT_BINBYTES
      case 0x42: stack.push(take(u32())); break; // BINBYTES
      case 0x8e: stack.push(take(u64())); break; // BINBYTES8
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x64: { // DICT
        const items = popMark();
        const d = new Map<string, PyValue>();
        for (let i = 0; i + 1 < items.length; i += 2) d.set(key(items[i]!), items[i + 1]!);
        stack.push(d);
        break;
      }
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x6c: { const items = popMark(); stack.push(items); break; } // LIST (popMark replaces `stack`)
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x74: { const items = popMark(); stack.push(items); break; } // TUPLE (popMark replaces `stack`)
      case 0x85: stack.push([pop()]); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push([a, b]); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push([a, b, c]); break; } // TUPLE3
      case 0x61: { const v = pop(); asList(top(), 'APPEND').push(v); break; } // APPEND
      case 0x65: { const items = popMark(); const list = asList(top(), 'APPENDS'); for (const v of items) list.push(v); break; } // APPENDS
      case 0x73: { const v = pop(); const k = pop(); asDict(top(), 'SETITEM').set(key(k), v); break; } // SETITEM
      case 0x75: { // SETITEMS
        const items = popMark();
        const d = asDict(top(), 'SETITEMS');
        for (let i = 0; i + 1 < items.length; i += 2) d.set(key(items[i]!), items[i + 1]!);
        break;
      }
      case 0x63: { const module = line(); stack.push(new PyGlobal(module, line())); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail(`STACK_GLOBAL with non-string names at offset ${at}`);
        stack.push(new PyGlobal(module as string, name as string));
        break;
      }
      case 0x52: { const args = pop(); stack.push(reduce(pop(), args)); break; } // REDUCE
      case 0x62: { const state = pop(); build(top(), state); break; } // BUILD
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: case 0x6a: { // BINGET, LONG_BINGET
        const i = op === 0x68 ? u8() : u32();
        if (!memo.has(i)) fail(`memo key ${i} not found at offset ${at}`);
        stack.push(memo.get(i)!);
        break;
      }
      default:
        fail(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')} at offset ${at}`);
    }
  }
}
