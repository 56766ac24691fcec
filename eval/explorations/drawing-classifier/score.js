// Scores images with nsfwjs's MobileNetV2 (see README.md): image paths on stdin, one line per image on stdout:
// path, then the probabilities of Drawing, Hentai, Neutral, Porn, Sexy (tab separated).
const tf = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-wasm');
const nsfw = require('nsfwjs');
const fs = require('fs'); const jpeg = require('jpeg-js'); const {PNG} = require('pngjs');
function decode(p) {
  const b = fs.readFileSync(p);
  if (b[0] === 0x89) { const png = PNG.sync.read(b); return {w: png.width, h: png.height, d: png.data}; }
  const j = jpeg.decode(b, {useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 2048});
  return {w: j.width, h: j.height, d: j.data};
}
(async () => {
  await tf.setBackend('wasm'); await tf.ready();
  const model = await nsfw.load('MobileNetV2');
  const paths = fs.readFileSync(0, 'utf8').split('\n').filter(Boolean);
  for (const p of paths) {
    const im = decode(p);
    const probs = tf.tidy(() => {
      const rgba = tf.tensor3d(im.d, [im.h, im.w, 4], 'int32');
      const rgb = rgba.slice([0, 0, 0], [im.h, im.w, 3]).toFloat();
      const s = Math.min(im.h, im.w);  // centre square, as a tile is square
      const sq = rgb.slice([Math.floor((im.h - s) / 2), Math.floor((im.w - s) / 2), 0], [s, s, 3]);
      const r256 = tf.image.resizeBilinear(sq, [256, 256], true);
      const x = tf.image.resizeBilinear(r256.div(255), [224, 224], true).reshape([1, 224, 224, 3]);
      return model.model.predict(x).dataSync();
    });
    console.log([p, ...Array.from(probs).map(v => v.toFixed(4))].join('\t'));
  }
})();
