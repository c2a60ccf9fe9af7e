// TensorFlow Playground's own training loop under node, as the reference for bench_sweep.py.
//
//     node benchmarks/nn_playground.js NN_JS DATA_JSON NETS EPOCHS TRIALS
//
// NN_JS is tensorflow/playground's src/nn.ts compiled to CommonJS (how: bench_sweep.py's
// docstring). DATA_JSON holds {"train": [[x, y, label], ...], "test": [...]} with labels -1/+1,
// as Playground's data. The driver builds NETS nets of shape 2-8-1, tanh hidden and output units
// (Playground's defaults for classification), squared error, no regularisation, and trains them
// one after another with playground.ts's oneStep: every training point forwardProp + backProp,
// updateWeights after every BATCH points, then the loss on the training and the test points.
// One trial is EPOCHS epochs of every net, timed after a warm-up that lets V8 compile the hot
// functions. Prints one JSON object: the seconds of each trial and net-epochs per second.
//
// Plain JavaScript and node's standard library only: nothing to install at run time.
"use strict";

const fs = require("fs");
const path = require("path");

const [nnPath, dataPath, netsArg, epochsArg, trialsArg] = process.argv.slice(2);
if (!trialsArg) {
  console.error("usage: node nn_playground.js NN_JS DATA_JSON NETS EPOCHS TRIALS");
  process.exit(2);
}
const nn = require(path.resolve(nnPath));
const data = JSON.parse(fs.readFileSync(dataPath, "utf8"));
const NETS = Number(netsArg), EPOCHS = Number(epochsArg), TRIALS = Number(trialsArg);
const SHAPE = [2, 8, 1], BATCH = 10, LEARNING_RATE = 0.03, REGULARIZATION_RATE = 0;

const toPoint = ([x, y, label]) => ({ x, y, label });
const trainData = data.train.map(toPoint);
const testData = data.test.map(toPoint);

// playground.ts's constructInput with the default features (x1, x2).
function constructInput(x, y) {
  return [x, y];
}

// playground.ts's getLoss.
function getLoss(network, dataPoints) {
  let loss = 0;
  for (let i = 0; i < dataPoints.length; i++) {
    const dataPoint = dataPoints[i];
    const input = constructInput(dataPoint.x, dataPoint.y);
    const output = nn.forwardProp(network, input);
    loss += nn.Errors.SQUARE.error(output, dataPoint.label);
  }
  return loss / dataPoints.length;
}

// playground.ts's oneStep, without updateUI; returns the two losses it computes.
function oneStep(network) {
  trainData.forEach((point, i) => {
    const input = constructInput(point.x, point.y);
    nn.forwardProp(network, input);
    nn.backProp(network, point.label, nn.Errors.SQUARE);
    if ((i + 1) % BATCH === 0) {
      nn.updateWeights(network, LEARNING_RATE, REGULARIZATION_RATE);
    }
  });
  return [getLoss(network, trainData), getLoss(network, testData)];
}

function newNets() {
  const nets = [];
  for (let k = 0; k < NETS; k++) {
    nets.push(nn.buildNetwork(SHAPE, nn.Activations.TANH, nn.Activations.TANH, null,
                              ["x", "y"], false));
  }
  return nets;
}

let sink = 0;  // the losses are used, so no work can be skipped
function epochs(nets, n) {
  for (let e = 0; e < n; e++) {
    for (const network of nets) {
      const [train, test] = oneStep(network);
      sink += train + test;
    }
  }
}

const nets = newNets();
const warmUpEnd = Date.now() + 1000;
while (Date.now() < warmUpEnd) {
  epochs(nets, 1);
}
const seconds = [];
for (let t = 0; t < TRIALS; t++) {
  const trialNets = newNets();  // fresh weights each trial: no trial runs saturated nets only
  const t0 = process.hrtime.bigint();
  epochs(trialNets, EPOCHS);
  seconds.push(Number(process.hrtime.bigint() - t0) / 1e9);
}
const sorted = [...seconds].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)];
console.log(JSON.stringify({
  nets: NETS, epochs: EPOCHS, trials: seconds, median_seconds: median,
  net_epochs_per_s: NETS * EPOCHS / median, node: process.version, finite: Number.isFinite(sink),
}));
