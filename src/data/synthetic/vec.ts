/** 3-vectors in body coordinates: x to the patient's left, y inferior (feet), z anterior. */
export type Vec3 = readonly [number, number, number];

export const add = (a: Vec3, b: Vec3): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
export const scale = (a: Vec3, k: number): Vec3 => [a[0] * k, a[1] * k, a[2] * k];
export const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
export const norm = (a: Vec3): number => Math.sqrt(dot(a, a));
export const unit = (a: Vec3): Vec3 => scale(a, 1 / (norm(a) || 1));

/** Component of `a` along unit vector `u`, removed by fraction `fraction`. */
export const reduceAlong = (a: Vec3, u: Vec3, fraction: number): Vec3 => {
  const along = dot(a, u);
  return along > 0 ? add(a, scale(u, -fraction * along)) : a;
};

export type Mat3 = readonly [Vec3, Vec3, Vec3];

/** Rotation about z (frontal plane), then y (transverse), then x (sagittal); angles in radians. */
export function rotation(frontal: number, transverse: number, sagittal: number): Mat3 {
  const [cz, sz, cy, sy, cx, sx] = [Math.cos(frontal), Math.sin(frontal), Math.cos(transverse), Math.sin(transverse), Math.cos(sagittal), Math.sin(sagittal)];
  const rz: Mat3 = [[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]];
  const ry: Mat3 = [[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]];
  const rx: Mat3 = [[1, 0, 0], [0, cx, -sx], [0, sx, cx]];
  return matMul(rx, matMul(ry, rz));
}

function matMul(a: Mat3, b: Mat3): Mat3 {
  const row = (r: Vec3): Vec3 => [
    r[0] * b[0][0] + r[1] * b[1][0] + r[2] * b[2][0],
    r[0] * b[0][1] + r[1] * b[1][1] + r[2] * b[2][1],
    r[0] * b[0][2] + r[1] * b[1][2] + r[2] * b[2][2],
  ];
  return [row(a[0]), row(a[1]), row(a[2])];
}

export const apply = (m: Mat3, v: Vec3): Vec3 => [dot(m[0], v), dot(m[1], v), dot(m[2], v)];
