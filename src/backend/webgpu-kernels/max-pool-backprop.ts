/**
 * MaxPoolGrad on WebGPU in one pass. Forward: y[b, oy, ox, c] = max over
 * the window of x at (oy*sh - pt + i, ox*sw - pl + j), inside x. Gradient:
 * all of dy[b, oy, ox, c] goes to the window's arg max, the first maximum
 * in row-major order (as the cpu backend and TensorFlow pick it; a window
 * of -Infinity or NaN only passes nothing on). One thread per element of
 * dx visits the windows that contain it and re-finds each one's arg max
 * from x, where tfjs-backend-webgpu first writes the arg maxes of all
 * windows to a tensor of their own and then reads them back.
 */
import * as tf from '@tensorflow/tfjs';
import type { MaxPoolGradAttrs, TensorInfo } from '@tensorflow/tfjs';
import { FlatProgram, int } from './program.js';
import type { WebgpuBackend } from './program.js';

type Shape4 = [number, number, number, number];

class MaxPoolGradProgram extends FlatProgram {
  readonly variableNames = ['dy', 'x'];
  private readonly constants: string;

  constructor(info: tf.backend_util.Conv2DInfo) {
    const values: [string, number][] = [
      ['IN_H', info.inHeight], ['IN_W', info.inWidth], ['C', info.inChannels], ['OUT_H', info.outHeight], ['OUT_W', info.outWidth],
      ['FH', info.filterHeight], ['FW', info.filterWidth], ['SH', info.strideHeight], ['SW', info.strideWidth],
      ['PT', info.padInfo.top], ['PL', info.padInfo.left],
    ];
    super(info.inShape, `ecgMaxPoolGrad_${values.map(([, v]) => v).join('_')}`);
    this.constants = values.map(([name, value]) => `const ${name} = ${int(value)};`).join('\n');
  }

  getUserCode(): string {
    return `${this.constants}

/** Row-major position in the window at (oy, ox) of its first maximum, -1 when none beats -Infinity. */
fn argMax(b : i32, oy : i32, ox : i32, c : i32) -> i32 {
  var best = -uniforms.INFINITY;
  var at = -1;
  for (var i = 0; i < FH; i++) {
    let iy = oy * SH - PT + i;
    if (iy < 0 || iy >= IN_H) { continue; }
    for (var j = 0; j < FW; j++) {
      let ix = ox * SW - PL + j;
      if (ix < 0 || ix >= IN_W) { continue; }
      let v = x[((b * IN_H + iy) * IN_W + ix) * C + c];
      if (v > best) { best = v; at = i * FW + j; }
    }
  }
  return at;
}

fn main(index : i32) {
  if (index < uniforms.size) {
    let c = index % C;
    let ix = (index / C) % IN_W;
    let iy = (index / (C * IN_W)) % IN_H;
    let b = index / (C * IN_W * IN_H);
    var sum = 0.0;
    for (var i = 0; i < FH; i++) {
      let ty = iy + PT - i;
      if (ty < 0 || ty % SH != 0 || ty / SH >= OUT_H) { continue; }
      for (var j = 0; j < FW; j++) {
        let tx = ix + PL - j;
        if (tx < 0 || tx % SW != 0 || tx / SW >= OUT_W) { continue; }
        let oy = ty / SH;
        let ox = tx / SW;
        if (argMax(b, oy, ox, c) == i * FW + j) { sum = sum + dy[((b * OUT_H + oy) * OUT_W + ox) * C + c]; }
      }
    }
    result[index] = sum;
  }
}`;
  }
}

interface MaxPoolGradArgs {
  inputs: { dy: TensorInfo; input: TensorInfo; output: TensorInfo };
  backend: WebgpuBackend;
  attrs: MaxPoolGradAttrs;
}

export function maxPoolGrad({ inputs, backend, attrs }: MaxPoolGradArgs): TensorInfo | undefined {
  const { dy, input } = inputs;
  if (dy.dtype !== 'float32' || input.dtype !== 'float32') return undefined;
  const info = tf.backend_util.computePool2DInfo(input.shape as Shape4, attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  return backend.runWebGPUProgram(new MaxPoolGradProgram(info), [dy, input], 'float32');
}
