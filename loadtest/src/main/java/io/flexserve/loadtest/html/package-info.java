/**
 * Self-contained HTML reports: a run's report, or several runs compared, with charts drawn as
 * inline SVG by this package (line charts with NaN gaps, single and 100 % stacked bar charts,
 * "nice" axis ticks). No JavaScript, no fonts, images or stylesheets from the network: the file
 * opens the same offline. Everything user-supplied (settings, labels, sub-network names) is escaped
 * in one place, {@code Html.escape}.
 *
 * <p>{@link io.flexserve.loadtest.html.HtmlReports} is the entry point; pages, charts and layout
 * are package-private.
 *
 * <p>Nullness: no parameter or return value in this package is {@code null}.
 */
package io.flexserve.loadtest.html;
