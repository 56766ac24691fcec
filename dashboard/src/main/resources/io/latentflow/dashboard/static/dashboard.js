// The latentflow dashboard: polls the server's JSON every two seconds and draws it with uPlot.
// Every chart records how many points it drew in its data-points attribute (tests read it; people can ignore it).
"use strict";

(function () {
  const REFRESH_MS = 2000;
  // As many as the server keeps by default: the page never holds more than it could ask for again.
  const MAX_WINDOWS = 1440;
  const MAX_ALERTS = 500;
  // The monitor lists findings worst first; the rest of a long list folds away.
  const FINDINGS_SHOWN = 4;
  // Distinct hues for up to 16 channels (Tableau 10, then 6 darker ones).
  const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#79706e", "#1f3b73", "#8c4a00", "#7a1f2b", "#2f6b66", "#2d5a27", "#6b5a00"];
  const SEVERITY_COLOR = { WARNING: "#b8860b", CRITICAL: "#c0392b" };

  const state = {
    model: null,
    windowsNext: 0,
    windows: new Map(), // window start (ms) -> summary; a later firing of the same window replaces it
    alertsNext: 0,
    alerts: new Map(), // arrival number -> alert
    thresholds: { warning: null, critical: null },
    charts: {},
  };

  const $ = (id) => document.getElementById(id);

  async function getJson(path) {
    const response = await fetch(path, { cache: "no-store" });
    if (!response.ok) {
      throw new Error(path + " answered " + response.status);
    }
    return response.json();
  }

  function text(tag, content, attributes) {
    const element = document.createElement(tag);
    if (content !== undefined && content !== null) element.textContent = content;
    Object.entries(attributes || {}).forEach(([name, value]) => element.setAttribute(name, value));
    return element;
  }

  function number(value, digits) {
    return value === null || value === undefined ? "–" : Number(value).toFixed(digits === undefined ? 3 : digits);
  }

  function time(ms) {
    return new Date(ms).toLocaleString();
  }

  // ---- charts -------------------------------------------------------------------------------------

  function plotWidth(figure) {
    return Math.max(280, figure.querySelector(".plot").clientWidth || figure.clientWidth - 16);
  }

  /** Draws (or redraws with new data) the chart in a figure; rebuilt when its series change. */
  function draw(id, series, data, options) {
    const figure = $(id);
    const key = JSON.stringify(series.map((s) => s.label)) + JSON.stringify(options.scales || {});
    let chart = state.charts[id];
    if (!chart || chart.key !== key) {
      if (chart) chart.plot.destroy();
      figure.querySelector(".plot").replaceChildren();
      const plotOptions = Object.assign({
        width: plotWidth(figure),
        height: 220,
        series: [{ label: options.xLabel || "window start" }].concat(series),
        legend: { live: true },
        cursor: { drag: { x: true, y: false } },
      }, options);
      delete plotOptions.xLabel;
      chart = { key: key, plot: new uPlot(plotOptions, data, figure.querySelector(".plot")) };
      state.charts[id] = chart;
    } else {
      chart.plot.setData(data);
    }
    const dataSeries = options.countSeries || series.length;
    let points = 0;
    for (let s = 1; s <= dataSeries; s++) {
      points += data[s].filter((v) => v !== null && v !== undefined).length;
    }
    figure.dataset.points = String(points);
    figure.dataset.series = String(dataSeries);
  }

  function channelSeries(channels, unit, scale) {
    return channels.map((channel, i) => ({
      label: "ch " + channel,
      stroke: PALETTE[i % PALETTE.length],
      width: 1.5,
      spanGaps: false,
      value: (u, v) => (v === null || v === undefined ? "–" : (v * scale).toFixed(3) + unit),
    }));
  }

  function axes(yLabel, formatY) {
    return [
      { label: "window start (event time)" },
      { label: yLabel, size: 60, values: formatY ? (u, ticks) => ticks.map(formatY) : undefined },
    ];
  }

  function drawTimeSeries() {
    const windows = Array.from(state.windows.values()).sort((a, b) => a.start - b.start);
    if (windows.length === 0) return;
    const channels = windows[windows.length - 1].channels;
    const xs = windows.map((w) => w.start / 1000);
    const perChannel = (field, scale) => channels.map((channel) => windows.map((w) => {
      const i = w.channels.indexOf(channel);
      const v = i < 0 ? null : w[field][i];
      return v === null || v === undefined ? null : v * scale;
    }));
    const pooled = (field, scale) => windows.map((w) => (w[field] === null || w[field] === undefined
      ? null : w[field] * scale));
    const withPooled = (unit) => channelSeries(channels, unit, 1).concat([{
      label: "all channels", stroke: "#1d232b", width: 2.5, dash: [8, 4],
      value: (u, v) => (v === null || v === undefined ? "–" : v.toFixed(3) + unit),
    }]);

    draw("chart-mean", withPooled(""), [xs].concat(perChannel("mean", 1), [pooled("pooledMean", 1)]),
      { axes: axes("mean") });
    draw("chart-std", withPooled(""), [xs].concat(perChannel("std", 1), [pooled("pooledStd", 1)]),
      { axes: axes("std") });
    draw("chart-range", withPooled(" %"),
      [xs].concat(perChannel("outsideUnit", 100), [pooled("pooledOutsideUnit", 100)]),
      { axes: axes("% outside [-1, 1]"), scales: { y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } } });

    // A score of 0 has no place on a log scale: it is drawn at a hundredth of the warning level.
    const score = pooled("driftScore", 1).map((v) => (v === null ? null : Math.max(v, 0.01)));
    const series = [{ label: "drift score", stroke: "#1f3b73", width: 2, points: { show: true, size: 5 } }];
    const data = [xs, score];
    const { warning, critical } = state.thresholds;
    if (warning !== null && warning !== undefined) {
      series.push({ label: "warning threshold", stroke: SEVERITY_COLOR.WARNING, dash: [6, 4], width: 1.5 });
      data.push(xs.map(() => warning));
    }
    if (critical !== null && critical !== undefined) {
      series.push({ label: "critical threshold", stroke: SEVERITY_COLOR.CRITICAL, dash: [6, 4], width: 1.5 });
      data.push(xs.map(() => critical));
    }
    // Logarithmic: calm windows score a fraction of the warning level, a broken source tens of times it.
    draw("chart-drift", series, data, {
      axes: axes("drift score (1 = warning, log scale)"),
      scales: { y: { distr: 3, log: 10 } },
      countSeries: 1,
    });
    const note = $("drift-note");
    const notes = [];
    if (score.every((v) => v === null)) notes.push("The monitor has no reference profile for this model: no drift score.");
    else notes.push("The score is the largest drift statistic over its warning level: per-channel mean shift, variance ratio or PSI, the window's novelty (how far its images lie from the nearest reference image), the median reconstruction PSNR of its sampled images (quality), the share of its images darker or brighter than the reference's rarest 1 % (exposure), or its median share of pixels exactly equal to their neighbour against the reference's most repetitive window (repeated pixels: drawn content; both read from the pixels).");
    note.hidden = false;
    note.textContent = notes.join(" ");
    drawQuality(windows, xs);
  }

  // QUALITY: how well the model reconstructs the window's sampled images, on the scale of its validation images.
  function drawQuality(windows, xs) {
    const field = (name) => windows.map((w) => (w[name] === null || w[name] === undefined ? null : w[name]));
    const dB = (u, v) => (v === null || v === undefined ? "–" : v.toFixed(2) + " dB");
    const series = [
      { label: "sampled images, median", stroke: "#1f3b73", width: 2, points: { show: true, size: 5 }, value: dB },
      { label: "validation median", stroke: "#1d232b", dash: [8, 4], width: 1.5, value: dB },
      { label: "QUALITY warning", stroke: SEVERITY_COLOR.WARNING, dash: [6, 4], width: 1.5, value: dB },
    ];
    draw("chart-quality", series,
      [xs, field("sampledPsnr"), field("validationPsnr"), field("qualityWarningPsnr")],
      { axes: axes("reconstruction PSNR (dB)"), countSeries: 1 });
    const latest = windows[windows.length - 1];
    const note = $("quality-note");
    note.hidden = false;
    if (latest.validationPsnr === null || latest.validationPsnr === undefined) {
      note.textContent = "This model version has no validation PSNRs in its metrics: no QUALITY statistic.";
    } else if (latest.qualityScore === null || latest.qualityScore === undefined) {
      note.textContent = "Latest window: " + latest.sampledImages + " sampled image(s), too few for a verdict.";
    } else {
      note.textContent = "Latest window: " + latest.sampledImages + " sampled images, median " +
        number(latest.sampledPsnr, 2) + " dB against the validation median " + number(latest.validationPsnr, 2) +
        " dB; QUALITY " + number(latest.qualityScore, 2) + " (1 = warning at " +
        number(latest.qualityWarningPsnr, 2) + " dB, 2 = critical).";
    }
  }

  function drawDistribution(window) {
    const channels = window.distributions.map((d) => d.channel);
    draw("chart-quantiles",
      channelSeries(channels, "", 1).map((series) => Object.assign(series, { points: { show: true, size: 4 } })),
      [window.quantileRanks.map((rank) => rank * 100)].concat(window.distributions.map((d) => d.quantiles)),
      {
        xLabel: "percentile",
        scales: { x: { time: false } },
        axes: [{ label: "percentile (%)" }, { label: "latent value", size: 60 }],
      });

    const binned = window.distributions.filter((d) => d.histogram.length > 0);
    $("chart-histogram").hidden = binned.length === 0;
    if (binned.length === 0) return;
    const bins = binned[0].histogram.length;
    const xs = Array.from({ length: bins }, (_, i) => i + 1);
    const reference = xs.map((_, i) => {
      const values = binned.map((d) => d.referenceHistogram[i]).filter((v) => v !== null && v !== undefined);
      return values.length === 0 ? null : 100 * values.reduce((a, b) => a + b, 0) / values.length;
    });
    const series = channelSeries(binned.map((d) => d.channel), " %", 1)
      .map((s) => Object.assign(s, { points: { show: true, size: 4 } }))
      .concat([{ label: "reference", stroke: "#1d232b", width: 2, dash: [8, 4],
        value: (u, v) => (v === null || v === undefined ? "–" : v.toFixed(1) + " %") }]);
    draw("chart-histogram", series,
      [xs].concat(binned.map((d) => d.histogram.map((f) => (f === null ? null : f * 100))), [reference]),
      {
        xLabel: "reference decile bin",
        scales: { x: { time: false }, y: { range: (u, min, max) => [0, Math.max(20, max * 1.1)] } },
        axes: [{ label: "bin of the reference's deciles (1: lowest tenth … " + bins + ": highest)" },
          { label: "% of values", size: 60 }],
        countSeries: binned.length,
      });
  }

  // ---- tables and the strip -----------------------------------------------------------------------

  function renderQuantiles(window) {
    const summary = window.summary;
    $("latest-window").textContent = "Window " + time(summary.start) + " – " + time(summary.end) + ": " +
      summary.images + " images, model " + summary.model +
      (summary.driftScore === null ? "" : ", drift score " + number(summary.driftScore, 2)) +
      "; all channels: mean " + number(summary.pooledMean) + ", std " + number(summary.pooledStd) +
      ", " + summary.pooledBlackHoles + " black holes.";
    const table = $("quantiles");
    const head = document.createElement("tr");
    ["Channel", "Mean", "Std", "Min", "Max", "Outside [-1, 1]", "Black holes", "Mean shift (ref. std)",
      "Variance ratio", "PSI"]
      .concat(window.quantileRanks.map((r) => "p" + +(r * 100).toFixed(2)))
      .forEach((label) => head.appendChild(text("th", label, { scope: "col" })));
    table.tHead.replaceChildren(head);
    const rows = window.distributions.map((distribution, i) => {
      const row = document.createElement("tr");
      row.appendChild(text("th", "ch " + distribution.channel, { scope: "row" }));
      [number(summary.mean[i]), number(summary.std[i]), number(summary.min[i]), number(summary.max[i]),
        summary.outsideUnit[i] === null ? "–" : (summary.outsideUnit[i] * 100).toFixed(2) + " %",
        String(summary.blackHoles[i]), number(summary.meanShift[i], 2), number(summary.varianceRatio[i], 2),
        number(summary.psi[i], 3)]
        .concat(distribution.quantiles.map((q) => number(q)))
        .forEach((cell) => row.appendChild(text("td", cell)));
      return row;
    });
    table.tBodies[0].replaceChildren(...rows);
  }

  function renderWorst(window, reconstructionsReason) {
    const strip = $("worst");
    const items = window.outliers.map((outlier) => {
      const item = text("li", null, { "data-image-id": outlier.imageId });
      const figure = document.createElement("figure");
      const label = outlier.imageId + (outlier.source ? " (" + outlier.source + ")" : "") + ": |z| " +
        number(outlier.worstZ, 1) + " on ch " + outlier.channel + ", max |value| " + number(outlier.maxAbs, 2);
      if (outlier.reconstruction) {
        const image = text("img", null, { src: outlier.reconstruction, alt: "Reconstruction of " + outlier.imageId,
          width: "128", height: "128" });
        image.addEventListener("load", () => { image.dataset.loaded = "true"; });
        image.addEventListener("error", () => {
          image.dataset.loaded = "false";
          image.alt = "Reconstruction of " + outlier.imageId + " unavailable (see the server log)";
        });
        figure.appendChild(image);
      }
      figure.appendChild(text("figcaption", label, { title: "event time " + time(outlier.eventTime) }));
      item.appendChild(figure);
      return item;
    });
    strip.replaceChildren(...items);
    const note = $("worst-note");
    if (window.outliers.length === 0) {
      note.textContent = "The monitor reported no outliers for this window.";
    } else if (reconstructionsReason) {
      note.textContent = "Listed by id only: " + reconstructionsReason + ".";
    } else {
      note.textContent = "Decoded from their latents by the model that encoded them; |z| is the largest distance " +
        "of a value from the reference profile's channel mean, in reference standard deviations.";
    }
  }

  /** MEAN_SHIFT -> "mean shift"; acronyms (PSI) stay as they are. */
  function statisticName(statistic) {
    return statistic.length <= 3 ? statistic : statistic.toLowerCase().replace(/_/g, " ");
  }

  function findingText(finding) {
    // EXPOSURE's value is the window's median highlight (below its level) or shadow (above it), in sRGB [0, 1];
    // REPEATED_PIXELS' the window's median share of pixels equal to the pixel before them
    const where = finding.statistic === "EXPOSURE"
      ? (finding.value < finding.threshold ? "median highlight" : "median shadow")
      : finding.statistic === "REPEATED_PIXELS" ? "median share"
      : finding.channel < 0 ? "all channels" : "ch " + finding.channel;
    return where + " " + statisticName(finding.statistic) + " " + number(finding.value) +
      " (threshold " + number(finding.threshold) + "; observed " + number(finding.observed) + ", reference " +
      number(finding.reference) + ")";
  }

  function renderAlerts() {
    const body = $("alerts").tBodies[0];
    if (state.alerts.size === 0) return;
    const rows = Array.from(state.alerts.values()).sort((a, b) => b.seq - a.seq).map((alert) => {
      const row = text("tr", null, { "data-severity": alert.severity, "data-model": alert.model });
      row.appendChild(text("td", time(alert.windowStart)));
      row.appendChild(text("td", String(alert.windowIndex)));
      row.appendChild(text("td", alert.model));
      const severity = text("td", null);
      severity.appendChild(text("span", alert.severity, { class: "badge", "data-severity": alert.severity }));
      severity.appendChild(document.createTextNode(" from " + alert.previousSeverity));
      row.appendChild(severity);
      row.appendChild(text("td", number(alert.driftScore, 2)));
      const moved = text("td", null);
      const list = document.createElement("ul");
      alert.findings.slice(0, FINDINGS_SHOWN).forEach((finding) => list.appendChild(text("li", findingText(finding))));
      moved.appendChild(list);
      if (alert.findings.length > FINDINGS_SHOWN) {
        const more = document.createElement("details");
        more.appendChild(text("summary", "and " + (alert.findings.length - FINDINGS_SHOWN) + " more"));
        const rest = document.createElement("ul");
        alert.findings.slice(FINDINGS_SHOWN).forEach((finding) => rest.appendChild(text("li", findingText(finding))));
        more.appendChild(rest);
        moved.appendChild(more);
      }
      row.appendChild(moved);
      row.appendChild(text("td", alert.message));
      return row;
    });
    body.replaceChildren(...rows);
  }

  // ---- refresh loop -------------------------------------------------------------------------------

  function chooseModel(models) {
    const select = $("model");
    if (models.length === 0) return;
    const chosen = state.model && models.some((m) => m.version === state.model) ? state.model : models[0].version;
    const options = models.map((m) => text("option", m.version + " (" + m.windows + " windows, " + m.severity + ")",
      { value: m.version }));
    select.replaceChildren(...options);
    select.value = chosen;
    select.disabled = false;
    if (chosen !== state.model) {
      state.model = chosen;
      state.windows.clear();
      state.windowsNext = 0;
    }
    const model = models.find((m) => m.version === chosen);
    state.thresholds = { warning: model.warningThreshold, critical: model.criticalThreshold };
    const banner = $("state");
    banner.dataset.severity = model.severity;
    banner.textContent = "Model " + model.version +
      (model.latentSpace ? " (latent space " + model.latentSpace + ")" : "") + ": drift " + model.severity +
      (model.latestDriftScore === null ? "" : ", latest score " + number(model.latestDriftScore, 2));
  }

  async function refresh() {
    const status = await getJson("/api/status");
    const models = await getJson("/api/models");
    chooseModel(models.models);
    $("available").textContent = "Model versions to decode with: " +
      models.available.map((m) => m.version + " (" + m.location + ")").join(", ") +
      (models.availableProblem ? " (" + models.availableProblem + ")" : "") + ".";

    let newWindows = false;
    if (state.model) {
      const page = await getJson("/api/windows?model=" + encodeURIComponent(state.model) +
        "&after=" + state.windowsNext);
      page.windows.forEach((w) => state.windows.set(w.start, w));
      if (state.windows.size > MAX_WINDOWS) {
        const starts = Array.from(state.windows.keys()).sort((a, b) => a - b);
        starts.slice(0, starts.length - MAX_WINDOWS).forEach((start) => state.windows.delete(start));
      }
      state.windowsNext = page.next;
      newWindows = page.windows.length > 0;
    }
    const alerts = await getJson("/api/alerts?after=" + state.alertsNext);
    alerts.alerts.forEach((alert) => state.alerts.set(alert.seq, alert));
    while (state.alerts.size > MAX_ALERTS) state.alerts.delete(state.alerts.keys().next().value);
    state.alertsNext = alerts.next;

    if (newWindows || alerts.alerts.length > 0) drawTimeSeries();
    if (newWindows) {
      const latest = (await getJson("/api/windows/latest?model=" + encodeURIComponent(state.model))).window;
      if (latest) {
        drawDistribution(latest);
        renderQuantiles(latest);
        renderWorst(latest, status.reconstructions.available ? null : status.reconstructions.reason);
      }
    }
    if (alerts.alerts.length > 0) renderAlerts();

    const training = await getJson("/api/training");
    renderTraining(training.training);
    renderSamples(training);

    const duplicates = status.duplicatesDropped;
    $("duplicates").hidden = duplicates === null || duplicates === undefined;
    $("duplicates").textContent = "Encode job: " + duplicates + " duplicate record(s) dropped (one latent per image id).";

    const read = status.topics.read;
    $("status").textContent = (status.topics.problem ? "Problem: " + status.topics.problem + ". " : "") +
      "Read " + (read["latent-stats"] || 0) + " windows and " + (read["drift-alerts"] || 0) + " alerts" +
      (status.topics.skipped ? " (" + status.topics.skipped + " unreadable records skipped)" : "") +
      "; updated " + new Date().toLocaleTimeString() + ".";
  }

  /** The latest fine-tune: a progress bar while it trains, its outcome after. */
  function renderTraining(training) {
    $("training").hidden = !training;
    if (!training) return;
    $("training-request").textContent = training.requestId;
    $("training-progress").value = training.fraction;
    const running = ["STARTED", "TRAINING", "EVALUATING"].includes(training.state);
    $("training-text").textContent = training.state +
      (training.state === "TRAINING" ? " step " + training.step + "/" + training.steps +
        (training.loss === null ? "" : ", loss " + number(training.loss, 4)) +
        (training.etaSeconds === null ? "" : ", " + Math.round(training.etaSeconds) + " s left") : "") +
      (!running && training.candidateVersion ? " " + training.candidateVersion : "") +
      (training.message ? ": " + training.message : "");
  }

  /** The training samples stored, and those a fine-tune of the serving version would take (as `status` counts). */
  function renderSamples(counts) {
    const recent = counts.samplesSincePromotion;
    $("samples").hidden = !recent;
    if (!recent) return;
    $("samples").textContent = recent.error ? "Training samples: cannot list them (" + recent.error + ")." :
      "Training samples: " + counts.samplesStored + " stored, " + recent.total +
      (Date.parse(recent.since) === 0 ? " since the start (no promotion yet)."
        : " since the serving version was promoted (" + new Date(recent.since).toLocaleString() + ").");
  }

  async function loop() {
    try {
      await refresh();
    } catch (error) {
      $("status").textContent = "Cannot reach the dashboard server (" + error.message + "); retrying.";
    }
    setTimeout(loop, REFRESH_MS);
  }

  // The next refresh (at most two seconds away) draws the chosen model; refreshing here too could interleave two.
  $("model").addEventListener("change", (event) => {
    state.model = event.target.value;
    state.windows.clear();
    state.windowsNext = 0;
  });

  window.addEventListener("resize", () => {
    Object.entries(state.charts).forEach(([id, chart]) => chart.plot.setSize({ width: plotWidth($(id)), height: 220 }));
  });

  loop();
})();
