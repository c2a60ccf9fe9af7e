// Arrays as they travel from Python (twolayer/ui/live/__init__.py): base64 typed arrays and
// 8-bit levels, decoded into the typed arrays Plotly takes.


const TYPED = { i1: Int8Array, u1: Uint8Array, i2: Int16Array, u2: Uint16Array,
                i4: Int32Array, u4: Uint32Array, f4: Float32Array, f8: Float64Array };

export function bytes(b64) {
  if (Uint8Array.fromBase64) return Uint8Array.fromBase64(b64);
  const s = atob(b64), out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export function rows(flat, shape) {       // a 2-D grid as Plotly takes it: an array of row views
  if (!shape || shape.length < 2) return flat;
  const [n, m] = shape;
  return Array.from({ length: n }, (_, i) => flat.subarray(i * m, (i + 1) * m));
}

// {"dtype", "bdata", "shape"} (Plotly's) and {"u8", "lo", "hi", "shape"} (8-bit levels, code
// 255 = NaN) become typed arrays; everything else is copied as it is. What is decoded already
// stays as it is: a frame's patch is decoded once where two readers need it.
export function decode(v) {
  if (Array.isArray(v)) return v.map(decode);
  if (v === null || typeof v !== "object" || ArrayBuffer.isView(v)) return v;   // decoded
  if (typeof v.bdata === "string" && typeof v.dtype === "string") {
    const raw = bytes(v.bdata), T = TYPED[v.dtype];
    const flat = new T(raw.buffer, raw.byteOffset, raw.byteLength / T.BYTES_PER_ELEMENT);
    return rows(flat, v.shape && String(v.shape).split(",").map(Number));
  }
  if (typeof v.u8 === "string") {
    const q = bytes(v.u8), out = new Float32Array(q.length), step = (v.hi - v.lo) / 254;
    for (let i = 0; i < q.length; i++) out[i] = q[i] === 255 ? NaN : v.lo + q[i] * step;
    return rows(out, v.shape);
  }
  const out = {};
  for (const k of Object.keys(v)) out[k] = decode(v[k]);
  return out;
}

export function concat(a, b) {
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    const out = new a.constructor(a.length + b.length);
    out.set(a);
    out.set(b, a.length);
    return out;
  }
  return Array.from(a || []).concat(Array.from(b));
}

// `values` appended to `list`, a Float64Array view of a buffer with room to spare (or anything
// array-like: it is copied into one): the buffer doubles when full, so that a frame's few new
// points do not copy all the points before them (a play's curves grow by one point a frame
// for thousands of frames). A missing value (null) is NaN, a gap as in Plotly.
const grown = new WeakSet();      // the buffers append made (no one else's is written to)

export function append(list, values) {
  const n = list.length, m = values.length;
  let out;
  if (grown.has(list.buffer) && list.byteOffset === 0 && list.buffer.byteLength >= 8 * (n + m)) {
    out = new Float64Array(list.buffer, 0, n + m);
  } else {
    const room = new Float64Array(Math.max(64, 2 * (n + m)));
    grown.add(room.buffer);
    room.set(ArrayBuffer.isView(list) ? list : Array.from(list, missing));
    out = room.subarray(0, n + m);
  }
  out.set(ArrayBuffer.isView(values) ? values : Array.from(values, missing), n);
  return out;
}

function missing(v) {
  return v === null || v === undefined ? NaN : v;
}
