import * as tf from '@tensorflow/tfjs';
import { Rng } from '../core/random.js';

/**
 * A new, untrained model with the architecture of `model` (same layers and names, from its JSON
 * topology), its kernels (weights of rank ≥ 2) drawn Glorot-uniform (Glorot & Bengio, 2010) from
 * `seed`; weights of rank ≤ 1 (biases, batch-norm statistics) keep the layers' configured initial
 * values. The caller owns (and disposes) the copy. What ROAR, KAR and data randomisation retrain.
 */
export async function freshCopy(model: tf.LayersModel, seed: number): Promise<tf.LayersModel> {
  const topology = model.toJSON(null, false) as tf.io.ModelJSON['modelTopology'];
  const copy = await tf.models.modelFromJSON({ modelTopology: topology } as tf.io.ModelJSON);
  const rng = new Rng(seed);
  for (const layer of copy.layers) {
    const weights = layer.getWeights();
    if (weights.length === 0) continue;
    // getWeights() returns the variables' own values: never dispose them.
    const fresh = weights.map((w) => {
      if (w.rank < 2) return w;
      const receptive = w.shape.slice(0, -2).reduce((a, b) => a * b, 1);
      const fanIn = w.shape[w.rank - 2] * receptive;
      const fanOut = w.shape[w.rank - 1] * receptive;
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      return tf.tensor(rng.uniforms(w.size, -limit, limit), w.shape);
    });
    layer.setWeights(fresh);
    tf.dispose(fresh.filter((t, i) => t !== weights[i]));
  }
  return copy;
}
