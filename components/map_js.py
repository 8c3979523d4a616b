"""The browser side of the network map: one small helper library (``window.hongtu``) that
fetches layer files once, draws them on the map's canvas renderer, filters and styles them
from options, draws grids from a zoom and only the grid tiles in view, switches members between
per-grid totals and clusters by zoom (fetching only the member tiles in view), and reports a
click on any polygon (a compound by id, anything else by its point) to streamlit-folium without
waiting for its 250 ms debounce.

Every label it shows arrives pre-escaped from Python (``tip``/``popup`` properties)."""

HELPERS_JS = r"""
window.hongtu = window.hongtu || (function () {
  var cache = {};
  var drawn = {};
  var POINT = 'point';
  window.hongtuDrawn = drawn;
  function load(src) {
    if (typeof src !== 'string') { return Promise.resolve(src); }
    var parts = src.split('#');  // "file.json#name": one layer of a combined file
    var file = parts[0];
    if (!cache[file]) {
      cache[file] = fetch(file).then(function (r) {
        if (!r.ok) { throw new Error(file + ' ' + r.status); }
        return r.json();
      });
    }
    return parts.length > 1
      ? cache[file].then(function (all) { return all[parts[1]]; }) : cache[file];
  }
  function keep(p, filters) {
    for (var k in filters) {
      var allowed = filters[k];
      if (allowed && allowed.length && allowed.indexOf(String(p[k])) < 0) { return false; }
    }
    return true;
  }
  function colourOf(p, o) {
    if (o.by) {
      var c = o.colours[String(p[o.by])];
      return c || o.colours['*'] || o.fill;
    }
    return o.fill;
  }
  function report(e, token) {
    // where the pointer was: Leaflet gives a small circle marker's own position as e.latlng
    var at = e.originalEvent && e.target && e.target._map
      ? e.target._map.mouseEventToLatLng(e.originalEvent) : e.latlng;
    setTimeout(function () {
      var g = window.__GLOBAL_DATA__;
      if (!g || !g.returned_objects || !window.Streamlit) { return; }
      g.last_object_clicked = at;
      g.last_object_clicked_tooltip = token;
      var full = {last_object_clicked: at,
                  last_object_clicked_count: g.last_object_clicked_count,
                  last_object_clicked_tooltip: token};
      var data = {};
      Object.keys(full).forEach(function (k) {
        if (g.returned_objects.indexOf(k) >= 0) { data[k] = full[k]; }
      });
      g.previous_data = data;
      window.Streamlit.setComponentValue(data);
    }, 0);
  }
  function bindLabels(f, l, o) {
    var p = f.properties;
    if (p.tip) { l.bindTooltip(p.tip, {sticky: !o.point}); }
    if (p.popup) { l.bindPopup(p.popup, {maxWidth: 320}); }
    if (o.report) {
      var token = o.report === POINT ? POINT : o.report + ':' + p.id;
      l.on('click', function (e) { report(e, token); });
    }
  }
  // the order polygon layers stack in, bottom first (the basemap's fills under the grids, the
  // compounds on top); tiles arrive at any time, so every arrival puts the stack back in order
  var STACK = ['counties', 'districts', 'streets', 'communities', 'grids', 'dispatch_areas',
               'member_totals', 'member_points', 'street_dim', 'compounds'];
  var byKind = {};
  function restack(kind, layer) {
    byKind[kind] = layer;
    STACK.forEach(function (k) { if (byKind[k] && byKind[k]._map) { byKind[k].bringToFront(); } });
  }
  function polygonLayer(o) {  // an empty layer that filters, styles and labels features
    return L.geoJSON(null, {
      interactive: o.interactive !== false,
      filter: function (f) { return keep(f.properties, o.filters || {}); },
      style: function (f) {
        var p = f.properties;
        var sel = o.selected && p.id === o.selected;
        return {color: sel ? o.selectedColour : o.stroke, weight: sel ? 4 : o.weight,
                dashArray: o.dash || null, fillColor: colourOf(p, o),
                fillOpacity: o.fillOpacity, opacity: 1};
      },
      onEachFeature: function (f, l) {
        // the canvas gives a click to the topmost polygon only: one lying over a compound
        // (a dispatch area, a grid) reports the point, which the page maps to the compound
        var interactive = o.interactive !== false;
        bindLabels(f, l, interactive && !o.report ? Object.assign({}, o, {report: POINT}) : o);
      }
    });
  }
  function tiled(src) { return src && typeof src === 'object' && src.base !== undefined; }
  function onView(map, sync) {
    // sync once the view has settled: the views a script sets one after another (the map's
    // fitBounds, then the page's own centre and zoom) fetch nothing for the ones passed by
    var timer = null;
    function schedule() {
      if (timer === null) { timer = setTimeout(function () { timer = null; sync(); }, 0); }
    }
    map.on('zoomend moveend', schedule);
    schedule();
  }
  function tilesInView(map, index) {
    // tiles of index.size degrees keyed "ix_iy" (ix = floor((lon + 180) / size)) that touch
    // the view, with a margin for the GCJ-02 shift and for features reaching past their tile
    var b = map.getBounds(), size = index.size, margin = 0.01;
    var x0 = Math.floor((b.getWest() - margin + 180) / size);
    var x1 = Math.floor((b.getEast() + margin + 180) / size);
    var y0 = Math.floor((b.getSouth() - margin + 90) / size);
    var y1 = Math.floor((b.getNorth() + margin + 90) / size);
    return index.keys.filter(function (key) {
      var xy = key.split('_'), x = +xy[0], y = +xy[1];
      return x >= x0 && x <= x1 && y >= y0 && y <= y1;
    });
  }
  function polygons(fg, src, o, map) {
    if (tiled(src)) { return tiledPolygons(fg, src, o, map); }
    return load(src).then(function (data) {
      var layer = polygonLayer(o).addData(data);
      fg.addLayer(layer);
      restack(o.kind, layer);
      drawn[o.kind] = layer.getLayers().length;
      drawn[o.kind + '_at'] = Date.now();
      return layer;
    });
  }
  function tiledPolygons(fg, index, o, map) {
    // from index.minZoom, the tiles in view, each fetched once; below it, nothing
    var layer = polygonLayer(o), fetched = {};
    drawn[o.kind + '_tiles'] = [];
    drawn[o.kind + '_pending'] = 0;
    function sync() {
      if (map.getZoom() < index.minZoom) { fg.removeLayer(layer); return; }
      if (!fg.hasLayer(layer)) { fg.addLayer(layer); restack(o.kind, layer); }  // back in place
      tilesInView(map, index).forEach(function (key) {
        if (fetched[key]) { return; }
        fetched[key] = true;
        drawn[o.kind + '_tiles'].push(key);
        drawn[o.kind + '_pending'] += 1;
        load(index.base + key + '.json').then(function (data) {
          layer.addData(data);
          restack(o.kind, layer);
          drawn[o.kind] = layer.getLayers().length;
          drawn[o.kind + '_at'] = Date.now();
        }).finally(function () { drawn[o.kind + '_pending'] -= 1; });
      });
    }
    onView(map, sync);
    return Promise.resolve(layer);
  }
  function symbols(fg, src, o) {
    return load(src).then(function (data) {
      var layer = L.geoJSON(data, {
        filter: function (f) { return keep(f.properties, o.filters || {}); },
        pointToLayer: function (f, latlng) {
          var s = o.symbols[f.properties[o.by]] || o.symbols['*'];
          var icon = L.divIcon({className: 'hongtu-symbol hongtu-' + f.properties[o.by],
                                html: s.svg, iconSize: [s.size, s.size],
                                iconAnchor: [s.size / 2, s.size / 2]});
          return L.marker(latlng, {icon: icon, zIndexOffset: s.z});
        },
        onEachFeature: function (f, l) { bindLabels(f, l, {point: true, report: o.report}); }
      });
      fg.addLayer(layer);
      drawn[o.kind] = layer.getLayers().length;
      drawn[o.kind + '_at'] = Date.now();
      return layer;
    });
  }
  function members(fg, map, totalsSrc, membersSrc, o) {
    var totals = L.featureGroup();
    var cluster = L.markerClusterGroup({chunkedLoading: true, showCoverageOnHover: false});
    var fetched = false;
    load(totalsSrc).then(function (rows) {  // [lat, lon, members, tooltip] per grid
      rows.forEach(function (r) {
        totals.addLayer(L.circleMarker([r[0], r[1]], {radius: 1.5 + Math.sqrt(r[2]) * 0.7,
          weight: 0.5, color: o.colour, fillColor: o.colour, fillOpacity: 0.35})
          .bindTooltip(r[3]));
      });
      restack('member_totals', totals);
      drawn.member_totals = totals.getLayers().length;
    });
    function addRows(rows) {
      cluster.addLayers(rows.map(function (r) {
        return L.circleMarker([r[0], r[1]], {radius: 5, weight: 1, color: o.colour,
          fillOpacity: 0.8}).bindTooltip(r[2]);
      }));
      restack('member_points', cluster);
      drawn.members = (drawn.members || 0) + rows.length;
    }
    function fetchInView() {
      if (typeof membersSrc === 'string' || Array.isArray(membersSrc)) {  // one file, or inline
        if (!fetched) { fetched = true; load(membersSrc).then(addRows); }
        return;
      }
      tilesInView(map, membersSrc).forEach(function (key) {  // each tile in view, once
        if (fetchedTiles[key]) { return; }
        fetchedTiles[key] = true;
        drawn.member_tiles = (drawn.member_tiles || []).concat([key]);
        load(membersSrc.base + key + '.json').then(function (rows) {
          addRows(rows);
          drawn.member_tiles_loaded = (drawn.member_tiles_loaded || 0) + 1;
        });
      });
    }
    var fetchedTiles = {};
    function sync() {  // no member points (the public big screen): totals at every zoom
      if (membersSrc && map.getZoom() >= o.threshold) {
        fg.removeLayer(totals);
        fetchInView();
        fg.addLayer(cluster);
      } else {
        fg.removeLayer(cluster);
        if (!fg.hasLayer(totals)) { fg.addLayer(totals); restack('member_totals', totals); }
      }
    }
    onView(map, sync);
  }
  return {load: load, polygons: polygons, symbols: symbols, members: members, drawn: drawn};
})();
"""
