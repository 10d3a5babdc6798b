// The analysis page's map: pan, zoom, hover, search, pin and colour a 2-D
// layout of the table's most frequent tokens. Everything it shows comes from
// the page itself (base64 arrays and a JSON list of tokens written by
// `embspace analyze`); it fetches nothing. Tokens are user data: they only
// ever reach the page through textContent, inside <bdi>.
//
// Points are written straight into one ImageData buffer (a few ms for 100 000
// points in software rendering, where canvas arc() calls take ~200 ms), and
// hover finds the nearest point through a uniform grid over the layout.
(() => {
  "use strict";
  const app = document.getElementById("map-app");
  if (!app) return;
  const canvas = app.querySelector("canvas");
  const context = canvas.getContext("2d");
  const tip = app.querySelector(".map-tip");
  const panel = app.querySelector(".map-panel");
  const status = app.querySelector(".map-status");
  const search = app.querySelector("input[type=search]");
  const colourBy = app.querySelector("select");
  const legend = app.querySelector(".map-legend");

  // ---- Data -------------------------------------------------------------
  const bytes = (id) => {
    const text = atob(document.getElementById(id).textContent.trim());
    const out = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
    return out.buffer;
  };
  const tokens = JSON.parse(document.getElementById("map-tokens").textContent);
  const meta = JSON.parse(document.getElementById("map-meta").textContent);
  const n = tokens.length, k = meta.k;
  const xy = new Float32Array(bytes("map-xy"));
  const neighbourIds = new Uint32Array(bytes("map-neighbours"));
  const neighbourScores = new Float32Array(bytes("map-scores"));
  const norms = new Float32Array(bytes("map-norms"));
  const rows = new Uint32Array(bytes("map-rows"));
  const clusters = new Uint8Array(bytes("map-clusters"));
  if (xy.length !== 2 * n || neighbourIds.length !== n * k || rows.length !== n) {
    throw new Error("map data and token list disagree");
  }

  // ---- Colours ----------------------------------------------------------
  // Viridis stops (sequential, readable in both schemes) and a categorical set.
  const VIRIDIS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  const CATEGORIES = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
    "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#17becf"];
  const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const packed = ([r, g, b]) => (255 << 24) | (b << 16) | (g << 8) | r; // ImageData is RGBA in memory
  const viridis = (t) => {
    const x = Math.min(Math.max(t, 0), 1) * (VIRIDIS.length - 1), i = Math.min(Math.floor(x), VIRIDIS.length - 2);
    return VIRIDIS[i].map((c, j) => Math.round(c + (VIRIDIS[i + 1][j] - c) * (x - i)));
  };
  const byRank = (values) => { // each point's position among sorted values, 0..1
    const order = Array.from(values.keys()).sort((a, b) => values[a] - values[b]);
    const t = new Float32Array(values.length);
    order.forEach((p, i) => { t[p] = i / Math.max(values.length - 1, 1); });
    return t;
  };
  const schemes = {
    rank: {
      colours: Uint32Array.from(rows, (r) => packed(viridis(1 - Math.log(r + 1) / (Math.log(rows[n - 1] + 1) || 1)))),
      legend: ["most frequent", "rarest shown"].map((label, i) => [label, viridis(1 - i)]),
    },
    norm: {
      colours: Uint32Array.from(byRank(norms), (t) => packed(viridis(t))),
      legend: [["shortest", viridis(0)], ["longest", viridis(1)]],
    },
    cluster: {
      colours: Uint32Array.from(clusters, (c) => packed(rgb(CATEGORIES[c % CATEGORIES.length]))),
      legend: meta.clusters.map((name, c) => [name, rgb(CATEGORIES[c % CATEGORIES.length])]),
    },
  };
  let scheme = schemes[colourBy.value] || schemes.rank;

  // ---- View: screen = data · scale + offset -----------------------------
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    minX = Math.min(minX, xy[2 * i]); maxX = Math.max(maxX, xy[2 * i]);
    minY = Math.min(minY, xy[2 * i + 1]); maxY = Math.max(maxY, xy[2 * i + 1]);
  }
  const view = { scale: 1, x: 0, y: 0 };
  let width = 0, height = 0, ratio = 1, image = null, pixels = null;
  const fit = () => {
    const s = 0.92 * Math.min(width / Math.max(maxX - minX, 1e-9), height / Math.max(maxY - minY, 1e-9));
    Object.assign(view, { scale: s, x: width / 2 - s * (minX + maxX) / 2, y: height / 2 + s * (minY + maxY) / 2 });
  };
  const toScreen = (i) => [xy[2 * i] * view.scale + view.x, view.y - xy[2 * i + 1] * view.scale];

  // ---- Hit test: a uniform grid of cells in data space -------------------
  const CELLS = Math.max(1, Math.ceil(Math.sqrt(n / 4)));
  const cellOf = (x, y) => [
    Math.min(CELLS - 1, Math.max(0, Math.floor((x - minX) / (maxX - minX || 1) * CELLS))),
    Math.min(CELLS - 1, Math.max(0, Math.floor((y - minY) / (maxY - minY || 1) * CELLS))),
  ];
  const cellStart = new Uint32Array(CELLS * CELLS + 1), cellPoints = new Uint32Array(n);
  {
    const cell = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const [cx, cy] = cellOf(xy[2 * i], xy[2 * i + 1]);
      cell[i] = cy * CELLS + cx;
      cellStart[cell[i] + 1]++;
    }
    for (let c = 0; c < CELLS * CELLS; c++) cellStart[c + 1] += cellStart[c];
    const fill = cellStart.slice(0, -1);
    for (let i = 0; i < n; i++) cellPoints[fill[cell[i]]++] = i;
  }
  // The point nearest the screen position (px, py), within `radius` pixels.
  const nearest = (px, py, radius = 8) => {
    const x = (px - view.x) / view.scale, y = (view.y - py) / view.scale, r = radius / view.scale;
    const [x0, y0] = cellOf(x - r, y - r), [x1, y1] = cellOf(x + r, y + r);
    let best = -1, bestDistance = r * r;
    for (let cy = y0; cy <= y1; cy++) {
      for (let cx = x0; cx <= x1; cx++) {
        const c = cy * CELLS + cx;
        for (let j = cellStart[c]; j < cellStart[c + 1]; j++) {
          const i = cellPoints[j], dx = xy[2 * i] - x, dy = xy[2 * i + 1] - y, d = dx * dx + dy * dy;
          if (d < bestDistance || (d === bestDistance && i < best)) { best = i; bestDistance = d; }
        }
      }
    }
    return best;
  };

  // ---- Drawing ----------------------------------------------------------
  let pinned = -1, hovered = -1, queued = false;
  const background = () => packed(rgb(getComputedStyle(app).getPropertyValue("--map-bg").trim() || "#ffffff"));
  let paper = 0; // the background, read again when the colour scheme changes
  const draw = () => {
    queued = false;
    if (!pixels) return; // no size yet (hidden, or mid-layout): nothing to draw into
    const start = performance.now();
    const w = width * ratio, h = height * ratio, size = Math.max(1, Math.round(2 * ratio));
    pixels.fill(paper);
    const s = view.scale * ratio, ox = view.x * ratio, oy = view.y * ratio, colours = scheme.colours;
    for (let i = n - 1; i >= 0; i--) { // rarest first, so frequent tokens stay on top
      const px = Math.round(xy[2 * i] * s + ox), py = Math.round(oy - xy[2 * i + 1] * s);
      if (px < 0 || py < 0 || px + size > w || py + size > h) continue;
      const colour = colours[i];
      for (let dy = 0, at = py * w + px; dy < size; dy++, at += w) {
        for (let dx = 0; dx < size; dx++) pixels[at + dx] = colour;
      }
    }
    context.putImageData(image, 0, 0);
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    if (pinned >= 0) {
      const [px, py] = toScreen(pinned);
      context.strokeStyle = getComputedStyle(app).color;
      context.lineWidth = 1;
      for (let j = 0; j < k; j++) {
        const [qx, qy] = toScreen(neighbourIds[pinned * k + j]);
        context.beginPath(); context.moveTo(px, py); context.lineTo(qx, qy); context.stroke();
        context.beginPath(); context.arc(qx, qy, 3.5, 0, 2 * Math.PI); context.stroke();
      }
      context.lineWidth = 2.5;
      context.beginPath(); context.arc(px, py, 7, 0, 2 * Math.PI); context.stroke();
    }
    context.setTransform(1, 0, 0, 1, 0, 0);
    const frames = window.__embspaceMap.frames;
    frames.push(performance.now() - start);
    if (frames.length > 240) frames.shift();
  };
  const redraw = () => { if (!queued) { queued = true; requestAnimationFrame(draw); } };
  const resize = () => {
    ratio = window.devicePixelRatio || 1;
    width = canvas.clientWidth; height = canvas.clientHeight;
    if (!width || !height) { image = pixels = null; return; }
    canvas.width = Math.round(width * ratio); canvas.height = Math.round(height * ratio);
    image = context.createImageData(canvas.width, canvas.height);
    pixels = new Uint32Array(image.data.buffer);
  };

  // ---- Panel, label and legend ------------------------------------------
  const shown = (token) => { // a token as text: long ones cut, the whole in the title
    const bdi = document.createElement("bdi");
    bdi.textContent = token.length > 80 ? token.slice(0, 80) + "…" : token;
    if (token.length > 80) bdi.title = token.slice(0, 2000);
    return bdi;
  };
  const element = (tag, className, ...children) => {
    const e = document.createElement(tag);
    if (className) e.className = className;
    e.append(...children);
    return e;
  };
  const showTip = (i, px, py) => {
    if (i < 0) { tip.hidden = true; return; }
    tip.replaceChildren(shown(tokens[i]), element("span", "muted", ` #${rows[i] + 1}`));
    tip.hidden = false;
    tip.style.left = `${Math.min(px + 12, width - tip.offsetWidth - 4)}px`;
    tip.style.top = `${Math.max(py - tip.offsetHeight - 8, 4)}px`;
  };
  const showPanel = () => {
    if (pinned < 0) {
      panel.replaceChildren(element("p", "muted", "Click a point or search for a token to list its nearest neighbours."));
      return;
    }
    const list = element("ol", "map-neighbours");
    for (let j = 0; j < k; j++) {
      const other = neighbourIds[pinned * k + j];
      const button = element("button", null, shown(tokens[other]));
      button.type = "button";
      button.addEventListener("click", () => fly(other));
      list.append(element("li", null, button, element("span", "num", neighbourScores[pinned * k + j].toFixed(3))));
    }
    panel.replaceChildren(
      element("h3", null, shown(tokens[pinned])),
      element("p", "muted", `rank ${rows[pinned] + 1} · norm ${norms[pinned].toFixed(3)}`),
      element("p", "muted", "cluster ", shown(meta.clusters[clusters[pinned]] ?? "")),
      element("p", "map-caption", `Top ${k} cosine neighbours (exact, among the ${n} mapped tokens):`),
      list,
    );
  };
  const showLegend = () => {
    legend.replaceChildren(...scheme.legend.map(([label, colour]) => {
      const swatch = element("span", "swatch");
      swatch.style.background = `rgb(${colour.join(",")})`;
      return element("li", null, swatch, shown(label));
    }));
  };

  // ---- Moving the view --------------------------------------------------
  const zoomAt = (px, py, factor) => {
    const scale = Math.min(Math.max(view.scale * factor, 1e-6), 1e9);
    view.x = px - (px - view.x) * scale / view.scale;
    view.y = py - (py - view.y) * scale / view.scale;
    view.scale = scale;
    redraw();
  };
  let flight = 0;
  const fly = (i) => {
    pinned = i;
    showPanel();
    // Zoom so that the pinned token and its neighbours fill a third of the view.
    let reach = 0;
    for (let j = 0; j < k; j++) {
      const o = neighbourIds[i * k + j];
      reach = Math.max(reach, Math.hypot(xy[2 * o] - xy[2 * i], xy[2 * o + 1] - xy[2 * i + 1]));
    }
    const target = Math.max(view.scale, Math.min(width, height) / 3 / Math.max(reach, 1e-6));
    const from = { ...view }, to = {
      scale: target, x: width / 2 - xy[2 * i] * target, y: height / 2 + xy[2 * i + 1] * target,
    };
    const reduce = matchMedia("(prefers-reduced-motion: reduce)").matches, start = performance.now(), id = ++flight;
    const step = (now) => {
      if (id !== flight) return;
      const t = reduce ? 1 : Math.min((now - start) / 400, 1), e = t * t * (3 - 2 * t);
      const scale = from.scale * Math.pow(to.scale / from.scale, e);
      // Interpolate the point under the centre, so the flight goes straight there.
      const cx = (width / 2 - from.x) / from.scale + ((width / 2 - to.x) / to.scale - (width / 2 - from.x) / from.scale) * e;
      const cy = (from.y - height / 2) / from.scale + ((to.y - height / 2) / to.scale - (from.y - height / 2) / from.scale) * e;
      Object.assign(view, { scale, x: width / 2 - cx * scale, y: height / 2 + cy * scale });
      draw();
      if (t < 1) requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  };

  const pointers = new Map();
  let moved = false;
  canvas.addEventListener("pointerdown", (e) => {
    canvas.setPointerCapture(e.pointerId);
    pointers.set(e.pointerId, [e.offsetX, e.offsetY]);
    moved = false;
  });
  canvas.addEventListener("pointermove", (e) => {
    const last = pointers.get(e.pointerId);
    if (!last) {
      hovered = nearest(e.offsetX, e.offsetY);
      showTip(hovered, e.offsetX, e.offsetY);
      return;
    }
    const [x, y] = [e.offsetX, e.offsetY];
    if (Math.hypot(x - last[0], y - last[1]) > 0) moved = true;
    if (pointers.size === 1) {
      view.x += x - last[0]; view.y += y - last[1];
      flight++;
      redraw();
    } else if (pointers.size === 2) { // pinch: zoom by the change of distance, about the midpoint
      const [other] = [...pointers].filter(([id]) => id !== e.pointerId).map(([, p]) => p);
      const before = Math.hypot(last[0] - other[0], last[1] - other[1]), after = Math.hypot(x - other[0], y - other[1]);
      if (before > 0) zoomAt((x + other[0]) / 2, (y + other[1]) / 2, after / before);
    }
    pointers.set(e.pointerId, [x, y]);
    tip.hidden = true;
  });
  const release = (e) => {
    if (pointers.delete(e.pointerId) && !moved && pointers.size === 0) {
      const i = nearest(e.offsetX, e.offsetY);
      if (i >= 0) { pinned = i; showPanel(); redraw(); }
    }
  };
  canvas.addEventListener("pointerup", release);
  canvas.addEventListener("pointercancel", (e) => pointers.delete(e.pointerId));
  canvas.addEventListener("pointerleave", () => { tip.hidden = true; });
  canvas.addEventListener("wheel", (e) => {
    e.preventDefault();
    flight++;
    zoomAt(e.offsetX, e.offsetY, Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.002)));
  }, { passive: false });
  canvas.addEventListener("keydown", (e) => {
    const steps = { "+": [1.25, 0, 0], "=": [1.25, 0, 0], "-": [0.8, 0, 0], ArrowLeft: [1, 40, 0],
      ArrowRight: [1, -40, 0], ArrowUp: [1, 0, 40], ArrowDown: [1, 0, -40] };
    if (e.key === "0") { fit(); redraw(); } else if (steps[e.key]) {
      const [factor, dx, dy] = steps[e.key];
      view.x += dx; view.y += dy;
      zoomAt(width / 2, height / 2, factor);
    } else return;
    e.preventDefault();
  });

  // ---- Search: exact token first, then the most frequent with that prefix --
  const find = (query) => {
    if (!query) return -1;
    const exact = tokens.indexOf(query);
    if (exact >= 0) return exact;
    const lower = query.toLowerCase();
    const prefix = tokens.findIndex((t) => t.startsWith(query));
    return prefix >= 0 ? prefix : tokens.findIndex((t) => t.toLowerCase().startsWith(lower));
  };
  const go = () => {
    const i = find(search.value);
    status.textContent = !search.value ? "" : i < 0
      ? `No mapped token starts with “${search.value.slice(0, 80)}”.`
      : `Found rank ${rows[i] + 1}.`;
    if (i >= 0) fly(i);
  };
  search.form.addEventListener("submit", (e) => { e.preventDefault(); go(); });
  colourBy.addEventListener("change", () => { scheme = schemes[colourBy.value]; showLegend(); redraw(); });

  // ---- Start ------------------------------------------------------------
  window.__embspaceMap = { frames: [], n, find, toScreen, nearestAt: nearest, get pinned() { return pinned; } };
  app.hidden = false;
  for (const still of document.querySelectorAll(".map-static-figure")) still.hidden = true;
  paper = background();
  matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => { paper = background(); redraw(); });
  resize();
  fit();
  showPanel();
  showLegend();
  new ResizeObserver(() => {
    const [w, h] = [canvas.clientWidth, canvas.clientHeight];
    if (!w || !h || (w === width && h === height)) return; // hidden for now: keep the last view
    if (!pixels) { resize(); fit(); draw(); return; } // the first real size
    const [cx, cy] = [(width / 2 - view.x) / view.scale, (view.y - height / 2) / view.scale];
    resize();
    Object.assign(view, { x: width / 2 - cx * view.scale, y: height / 2 + cy * view.scale });
    draw();
  }).observe(canvas);
  draw();
  window.__embspaceMap.firstPaint = performance.now();
})();
