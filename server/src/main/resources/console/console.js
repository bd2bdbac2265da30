// The read-only IPAM console: plain JS over the same HTTP API and authentication as any client.
// The token lives in sessionStorage (this tab only) and goes out as "Authorization: Bearer".
"use strict";
const PROJECTS = "/apis/resourcemanager.miloapis.com/v1alpha1/projects";
const IPAM = "/apis/ipam.miloapis.com/v1alpha1";
const PROJECTS_SHOWN_MAX = 50;     // projects read per refresh
const POOLS_SHOWN_MAX = 100;       // pools drawn per project
const ALLOCATIONS_READ_MAX = 2000; // allocations read per project
const CHANGES_SHOWN = 25;
const DRAW_DEPTH_MAX = 24;         // trie levels drawn below a pool's prefix; deeper blocks are shown at this size
const COLOURS = ["#3b7dd8", "#e07b39", "#3aa55d", "#b04fc2", "#d6b53a", "#2bb3b1", "#d14b5a", "#7a8a3a"];

const tokenInput = document.getElementById("token");
tokenInput.value = sessionStorage.getItem("ipamToken") || "";
document.getElementById("auth").addEventListener("submit", e => {
  e.preventDefault();
  sessionStorage.setItem("ipamToken", tokenInput.value);
  refresh();
});
document.getElementById("refresh").addEventListener("click", refresh);

async function api(path) {
  const headers = { "Accept": "application/json" };
  const token = sessionStorage.getItem("ipamToken");
  if (token) headers["Authorization"] = "Bearer " + token;
  const response = await fetch(path, { headers });
  if (!response.ok) {
    let message = response.status + " " + response.statusText;
    try { message = (await response.json()).message || message; } catch (ignored) { /* not a Status */ }
    throw new Error(path + ": " + message);
  }
  return response.json();
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
  children.forEach(c => node.append(c instanceof Node ? c : document.createTextNode(String(c))));
  return node;
}

function setStatus(text) { document.getElementById("status").textContent = text; }

async function refresh() {
  setStatus("loading…");
  const problems = [];
  try { showCluster(await api("/admin/cluster")); } catch (e) { problems.push(e.message); }
  try {
    const projects = (await api(PROJECTS + "?limit=" + PROJECTS_SHOWN_MAX)).items || [];
    showProjects(projects);
    const perProject = await Promise.all(projects.map(p => loadProject(p.metadata.name).catch(e => {
      problems.push(e.message); return { project: p.metadata.name, pools: [], allocations: [], claims: [] };
    })));
    showPools(perProject);
    showChanges(perProject);
  } catch (e) { problems.push(e.message); }
  setStatus(problems.length ? problems.join("; ") : "updated " + new Date().toLocaleTimeString());
}

async function loadProject(project) {
  const base = PROJECTS + "/" + encodeURIComponent(project) + "/control-plane" + IPAM;
  const [pools, allocations, claims] = await Promise.all([
    api(base + "/ippools?limit=" + POOLS_SHOWN_MAX),
    api(base + "/ipallocations?limit=" + ALLOCATIONS_READ_MAX),
    api(base + "/ipclaims?limit=" + ALLOCATIONS_READ_MAX)]);
  return { project, pools: pools.items || [], allocations: allocations.items || [], claims: claims.items || [] };
}

function showCluster(status) {
  document.getElementById("cluster-summary").textContent =
    "group " + status.groupId + ", leader " + (status.leaderId || "none") + ", term " + status.term
    + ", commit " + status.commitIndex + ", applied " + status.appliedIndex + " (as seen by " + status.self + ")";
  const body = document.querySelector("#members tbody");
  body.replaceChildren(...(status.members || []).map(m => el("tr", { "data-member": m.id },
    el("td", {}, m.id), el("td", { class: "role-" + m.role }, m.role), el("td", {}, status.term),
    el("td", {}, m.matchIndex < 0 ? "?" : m.matchIndex),
    el("td", {}, m.matchIndex < 0 ? "?" : Math.max(0, status.commitIndex - m.matchIndex)),
    el("td", {}, m.lastContactMs < 0 ? "?" : m.lastContactMs), el("td", {}, m.httpAddress))));
}

function showProjects(projects) {
  document.getElementById("projects").replaceChildren(...projects.map(p => el("li", { "data-project": p.metadata.name },
    p.metadata.name + (p.status && p.status.phase ? " (" + p.status.phase + ")" : ""))));
}

// --- address arithmetic with BigInt, IPv4 and IPv6 alike ---
/** An address count: exact while JavaScript holds it exactly, else its power of two (saturated: at least 2^63). */
function amount(value) {
  if (value === undefined || value === null) return "?";
  if (Number.isSafeInteger(value)) return String(value);
  return value >= 9.2e18 ? "\u2265 2^63" : "\u2248 2^" + Math.log2(value).toFixed(1);
}

function parseCidr(cidr) {
  const [address, lengthText] = cidr.split("/");
  const v6 = address.includes(":");
  const bits = v6 ? 128 : 32;
  let value = 0n;
  if (v6) {
    const [head, tail] = address.split("::");
    const h = head ? head.split(":") : [], t = tail !== undefined && tail ? tail.split(":") : [];
    const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
    groups.forEach(g => { value = (value << 16n) + BigInt(parseInt(g || "0", 16)); });
  } else {
    address.split(".").forEach(o => { value = (value << 8n) + BigInt(parseInt(o, 10)); });
  }
  return { value, length: Number(lengthText), bits };
}

// A block inside the pool is found by walking the trie from the pool's prefix: each bit halves the
// current rectangle, alternately across and down, so a /n block is a nested rectangle at depth n - p.
function blockRect(pool, block, width, height) {
  let x = 0, y = 0, w = width, h = height;
  const depth = Math.min(block.length - pool.length, DRAW_DEPTH_MAX);
  for (let d = 0; d < depth; d++) {
    const bit = (block.value >> BigInt(pool.bits - pool.length - d - 1)) & 1n;
    if (d % 2 === 0) { w /= 2; if (bit) x += w; } else { h /= 2; if (bit) y += h; }
  }
  return { x, y, w: Math.max(w, 1), h: Math.max(h, 1) };
}

function showPools(perProject) {
  const colour = new Map();
  perProject.forEach((p, i) => colour.set(p.project, COLOURS[i % COLOURS.length]));
  document.getElementById("legend").replaceChildren(...perProject.map(p =>
    el("span", {}, el("span", { class: "swatch", style: "background:" + colour.get(p.project) }), p.project)));
  // Allocations by the pool they were carved from (a shared pool's may live in other projects).
  const byPool = new Map();
  perProject.forEach(p => p.allocations.forEach(a => {
    const ref = (a.spec && a.spec.poolRef) || {};
    const owner = (ref.projectRef && ref.projectRef.name) || p.project;
    const key = owner + "/" + ref.name;
    if (!byPool.has(key)) byPool.set(key, []);
    byPool.get(key).push({ project: p.project, cidr: a.status && a.status.allocatedCIDR, name: a.metadata.name });
  }));
  const cards = [];
  perProject.forEach(p => p.pools.forEach(pool => {
    const cidr = (pool.status && pool.status.allocatedCIDR) || pool.spec.cidr;
    const capacity = (pool.status && pool.status.capacity) || {};
    const card = el("div", { class: "pool", "data-pool": p.project + "/" + pool.metadata.name });
    card.append(el("h3", {}, p.project + "/" + pool.metadata.name + " " + (cidr || "(pending)")));
    // IPv6 counts saturate at 2^63-1 (API.md) and JavaScript numbers are exact only below 2^53:
    // an IPv6 pool's size is shown as the power of two its prefix gives, large counts as such.
    const total = cidr && cidr.includes(":") ? "2^" + (128 - Number(cidr.split("/")[1])) : amount(capacity.total);
    card.append(el("div", { class: "figures" }, "capacity " + total + ", allocated "
      + amount(capacity.allocated) + ", free " + amount(capacity.available) + " (" + (pool.status ? pool.status.utilizationPercent : "?") + "%)"));
    if (cidr) card.append(occupancy(parseCidr(cidr), byPool.get(p.project + "/" + pool.metadata.name) || [], colour));
    cards.push(card);
  }));
  document.getElementById("pools").replaceChildren(...cards);
}

function occupancy(pool, allocations, colour) {
  const width = 256, height = 128, ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("width", width); svg.setAttribute("height", height);
  svg.setAttribute("viewBox", "0 0 " + width + " " + height);
  allocations.filter(a => a.cidr).forEach(a => {
    const r = blockRect(pool, parseCidr(a.cidr), width, height);
    const rect = document.createElementNS(ns, "rect");
    Object.entries({ x: r.x, y: r.y, width: r.w, height: r.h, fill: colour.get(a.project) || "#888",
      stroke: "#ffffff", "stroke-width": r.w > 4 && r.h > 4 ? 0.5 : 0, class: "allocated" })
      .forEach(([k, v]) => rect.setAttribute(k, v));
    const title = document.createElementNS(ns, "title");
    title.textContent = a.cidr + " — " + a.project + "/" + a.name;
    rect.append(title);
    svg.append(rect);
  });
  return svg;
}

function showChanges(perProject) {
  const objects = [];
  perProject.forEach(p => {
    p.pools.forEach(o => objects.push({ project: p.project, kind: "IPPool", o }));
    p.claims.forEach(o => objects.push({ project: p.project, kind: "IPClaim", o }));
  });
  objects.sort((a, b) => Number(b.o.metadata.resourceVersion) - Number(a.o.metadata.resourceVersion));
  document.querySelector("#changes tbody").replaceChildren(...objects.slice(0, CHANGES_SHOWN).map(c => el("tr", {},
    el("td", {}, c.o.metadata.resourceVersion), el("td", {}, c.project), el("td", {}, c.kind),
    el("td", {}, (c.o.metadata.namespace ? c.o.metadata.namespace + "/" : "") + c.o.metadata.name),
    el("td", {}, (c.o.status && c.o.status.allocatedCIDR) || c.o.spec.cidr || ""),
    el("td", {}, (c.o.status && c.o.status.phase) || ""))));
}

refresh();
setInterval(refresh, 10000);
