/* SPDX-License-Identifier: MIT */
/* The report's plots, drawn by boxmix as SVG: bars per label, grouped by series,
 * with their values written on them, so a plot reads without a script. */
#include "report.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void bmx__buf_html(struct bmx__buf *b, const char *s)
{
    for (const char *p = s; *p; p++) {
        switch (*p) {
        case '&':
            bmx__buf_puts(b, "&amp;");
            break;
        case '<':
            bmx__buf_puts(b, "&lt;");
            break;
        case '>':
            bmx__buf_puts(b, "&gt;");
            break;
        case '"':
            bmx__buf_puts(b, "&quot;");
            break;
        case '\'':
            bmx__buf_puts(b, "&#39;");
            break;
        default:
            bmx__buf_put(b, p, 1);
        }
    }
}

/* The smallest 1, 2 or 5 times a power of ten at or above v (at least 1). */
static uint64_t nice_top(uint64_t v)
{
    uint64_t p = 1;
    for (;;) {
        if (v <= p) {
            return p;
        }
        if (v <= 2 * p) {
            return 2 * p;
        }
        if (v <= 5 * p) {
            return 5 * p;
        }
        if (p > UINT64_MAX / 20) {
            return v;
        }
        p *= 10;
    }
}

#define PLOT_H 180
#define TOP 48
#define LEFT 56
#define BOTTOM 70

void bmx__svg_bars(struct bmx__buf *b, const char *id, const char *title, const char *const *labels,
                   size_t n, const struct bmx__series *series, size_t n_series)
{
    uint64_t max = 0;
    for (size_t s = 0; s < n_series; s++) {
        for (size_t i = 0; i < n; i++) {
            max = series[s].values[i] > max ? series[s].values[i] : max;
        }
    }
    const uint64_t top = nice_top(max);
    const int bar = n * n_series > 24 ? 14 : 22;
    const int group = bar * (int)n_series + 12;
    /* Wide enough for the bars and for the title (about 8 px a character). */
    int width = LEFT + (int)n * group + 24;
    const int title_w = LEFT + 8 * (int)strlen(title) + 16;
    width = width > title_w ? width : title_w;
    width = width > 360 ? width : 360;
    const int height = TOP + PLOT_H + BOTTOM;
    bmx__buf_printf(b,
                    "<figure class=\"plot\" id=\"%s\"><svg xmlns=\"http://www.w3.org/2000/svg\" "
                    "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">"
                    "<title>",
                    id, width, height, width, height);
    bmx__buf_html(b, title);
    bmx__buf_printf(b, "</title><text class=\"t\" x=\"%d\" y=\"18\">", LEFT);
    bmx__buf_html(b, title);
    bmx__buf_puts(b, "</text>");
    /* The y axis: 0, half and the top, with grid lines. */
    for (int k = 0; k <= 2; k++) {
        int y = TOP + PLOT_H - k * PLOT_H / 2;
        bmx__buf_printf(b,
                        "<line class=\"g\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
                        "<text class=\"y\" x=\"%d\" y=\"%d\">%.15g</text>",
                        LEFT, y, width - 12, y, LEFT - 6, y + 4, (double)top * k / 2.0);
    }
    for (size_t i = 0; i < n; i++) {
        const int gx = LEFT + 6 + (int)i * group;
        for (size_t s = 0; s < n_series; s++) {
            const uint64_t v = series[s].values[i];
            const int h = (int)((double)v / (double)top * PLOT_H + 0.5);
            const int x = gx + (int)s * bar;
            bmx__buf_printf(b,
                            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" "
                            "data-series=\"%zu\" data-value=\"%" PRIu64 "\"><title>",
                            x, TOP + PLOT_H - h, bar - 2, h, series[s].color, s, v);
            bmx__buf_html(b, labels[i]);
            bmx__buf_puts(b, ": ");
            bmx__buf_html(b, series[s].name);
            bmx__buf_printf(b,
                            " %" PRIu64 "</title></rect>"
                            "<text class=\"v\" x=\"%d\" y=\"%d\">%" PRIu64
                            "</text>",
                            v, x + (bar - 2) / 2, TOP + PLOT_H - h - 3, v);
        }
        const int lx = gx + (bar * (int)n_series) / 2;
        bmx__buf_printf(b,
                        "<text class=\"x\" x=\"%d\" y=\"%d\" transform=\"rotate(-35 %d %d)\">", lx,
                        TOP + PLOT_H + 14, lx, TOP + PLOT_H + 14);
        bmx__buf_html(b, labels[i]);
        bmx__buf_puts(b, "</text>");
    }
    bmx__buf_printf(b, "<line class=\"a\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", LEFT,
                    TOP + PLOT_H, width - 12, TOP + PLOT_H);
    if (n_series > 1) {
        for (size_t s = 0; s < n_series; s++) {
            int x = LEFT + (int)s * 170;
            bmx__buf_printf(b,
                            "<rect x=\"%d\" y=\"27\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                            "<text class=\"l\" x=\"%d\" y=\"36\">",
                            x, series[s].color, x + 14);
            bmx__buf_html(b, series[s].name);
            bmx__buf_puts(b, "</text>");
        }
    }
    bmx__buf_puts(b, "</svg></figure>\n");
}

bool bmx__hist_labels(const struct bmx__dist *d, char **labels)
{
    for (size_t i = 0; i < d->n_edges; i++) {
        char text[64];
        if (i + 1 < d->n_edges) {
            snprintf(text, sizeof text, "[%g, %g)", d->edges[i], d->edges[i + 1]);
        } else {
            snprintf(text, sizeof text, "\xe2\x89\xa5 %g", d->edges[i]);
        }
        size_t len = strlen(text) + 1;
        labels[i] = malloc(len);
        if (labels[i] == NULL) {
            for (size_t k = 0; k < i; k++) {
                free(labels[k]);
            }
            return false;
        }
        memcpy(labels[i], text, len);
    }
    return true;
}
