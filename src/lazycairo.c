/* lazycairo.c - see lazycairo.h. Each definition here has the prototype
 * of Cairo's header (the compiler checks it against cairo.h, cairo-ft.h
 * and cairo-svg.h) and calls the library's function through a pointer
 * found on its first call, as the dynamic linker's lazy binding would.
 * The library handle and those pointers are per process, like the
 * linker's own tables; planeval has no threads. A Cairo function that
 * planeval starts to call must be added to the list below (the link fails
 * until it is). */
#include "lazycairo.h"
#include "lazylib.h"

#include <cairo-ft.h>
#include <cairo-svg.h>
#include <cairo.h>

#ifndef CAIRO_SONAME /* another name only to test the failure */
#define CAIRO_SONAME "libcairo.so.2"
#endif

static void *cairo_lib;

int lazycairo_open(diag_list *d)
{
    return lazylib_open(&cairo_lib, CAIRO_SONAME, "charts",
                        "for the chart files (install the Debian package libcairo2)", d);
}

int lazycairo_loaded(void)
{
    return cairo_lib != NULL;
}

/* The address of Cairo's function name (lazylib_fn): lazycairo_open is
 * asked first where charts are drawn (charts_write_plan). */
static void *cairo_fn(const char *name)
{
    return lazylib_fn(&cairo_lib, lazycairo_open, CAIRO_SONAME, name);
}

#define LAZY(ret, name, params, args) LAZY_FN(cairo_fn, ret, name, params, args)
#define LAZY_VOID(name, params, args) LAZY_FN_VOID(cairo_fn, name, params, args)

LAZY_VOID(cairo_arc, (cairo_t *cr, double xc, double yc, double radius, double angle1, double angle2), (cr, xc, yc, radius, angle1, angle2))
LAZY_VOID(cairo_clip, (cairo_t *cr), (cr))
LAZY_VOID(cairo_close_path, (cairo_t *cr), (cr))
LAZY(cairo_t *, cairo_create, (cairo_surface_t *target), (target))
LAZY_VOID(cairo_debug_reset_static_data, (void), ())
LAZY_VOID(cairo_destroy, (cairo_t *cr), (cr))
LAZY_VOID(cairo_fill, (cairo_t *cr), (cr))
LAZY_VOID(cairo_fill_preserve, (cairo_t *cr), (cr))
LAZY_VOID(cairo_font_face_destroy, (cairo_font_face_t *font_face), (font_face))
LAZY(cairo_status_t, cairo_font_face_status, (cairo_font_face_t *font_face), (font_face))
LAZY(cairo_font_options_t *, cairo_font_options_create, (void), ())
LAZY_VOID(cairo_font_options_destroy, (cairo_font_options_t *options), (options))
LAZY_VOID(cairo_font_options_set_antialias, (cairo_font_options_t *options, cairo_antialias_t antialias), (options, antialias))
LAZY_VOID(cairo_font_options_set_hint_metrics, (cairo_font_options_t *options, cairo_hint_metrics_t hint_metrics), (options, hint_metrics))
LAZY_VOID(cairo_font_options_set_hint_style, (cairo_font_options_t *options, cairo_hint_style_t hint_style), (options, hint_style))
LAZY(cairo_status_t, cairo_font_options_status, (cairo_font_options_t *options), (options))
LAZY(int, cairo_format_stride_for_width, (cairo_format_t format, int width), (format, width))
LAZY(FT_Face, cairo_ft_scaled_font_lock_face, (cairo_scaled_font_t *scaled_font), (scaled_font))
LAZY_VOID(cairo_ft_scaled_font_unlock_face, (cairo_scaled_font_t *scaled_font), (scaled_font))
LAZY(cairo_scaled_font_t *, cairo_get_scaled_font, (cairo_t *cr), (cr))
LAZY_VOID(cairo_glyph_free, (cairo_glyph_t *glyphs), (glyphs))
LAZY(cairo_surface_t *, cairo_image_surface_create, (cairo_format_t format, int width, int height), (format, width, height))
LAZY(cairo_surface_t *, cairo_image_surface_create_for_data, (unsigned char *data, cairo_format_t format, int width, int height, int stride), (data, format, width, height, stride))
LAZY(unsigned char *, cairo_image_surface_get_data, (cairo_surface_t *surface), (surface))
LAZY(int, cairo_image_surface_get_height, (cairo_surface_t *surface), (surface))
LAZY(int, cairo_image_surface_get_stride, (cairo_surface_t *surface), (surface))
LAZY(int, cairo_image_surface_get_width, (cairo_surface_t *surface), (surface))
LAZY_VOID(cairo_line_to, (cairo_t *cr, double x, double y), (cr, x, y))
LAZY_VOID(cairo_move_to, (cairo_t *cr, double x, double y), (cr, x, y))
LAZY_VOID(cairo_new_path, (cairo_t *cr), (cr))
LAZY_VOID(cairo_paint, (cairo_t *cr), (cr))
LAZY_VOID(cairo_rectangle, (cairo_t *cr, double x, double y, double width, double height), (cr, x, y, width, height))
LAZY_VOID(cairo_restore, (cairo_t *cr), (cr))
LAZY_VOID(cairo_save, (cairo_t *cr), (cr))
LAZY_VOID(cairo_scale, (cairo_t *cr, double sx, double sy), (cr, sx, sy))
LAZY(cairo_font_type_t, cairo_scaled_font_get_type, (cairo_scaled_font_t *scaled_font), (scaled_font))
LAZY(cairo_status_t, cairo_scaled_font_status, (cairo_scaled_font_t *scaled_font), (scaled_font))
LAZY(cairo_status_t, cairo_scaled_font_text_to_glyphs, (cairo_scaled_font_t *scaled_font, double x, double y, const char *utf8, int utf8_len, cairo_glyph_t**glyphs, int *num_glyphs, cairo_text_cluster_t**clusters, int *num_clusters, cairo_text_cluster_flags_t *cluster_flags), (scaled_font, x, y, utf8, utf8_len, glyphs, num_glyphs, clusters, num_clusters, cluster_flags))
LAZY_VOID(cairo_set_dash, (cairo_t *cr, const double *dashes, int num_dashes, double offset), (cr, dashes, num_dashes, offset))
LAZY_VOID(cairo_set_font_face, (cairo_t *cr, cairo_font_face_t *font_face), (cr, font_face))
LAZY_VOID(cairo_set_font_options, (cairo_t *cr, const cairo_font_options_t *options), (cr, options))
LAZY_VOID(cairo_set_font_size, (cairo_t *cr, double size), (cr, size))
LAZY_VOID(cairo_set_line_cap, (cairo_t *cr, cairo_line_cap_t line_cap), (cr, line_cap))
LAZY_VOID(cairo_set_line_join, (cairo_t *cr, cairo_line_join_t line_join), (cr, line_join))
LAZY_VOID(cairo_set_line_width, (cairo_t *cr, double width), (cr, width))
LAZY_VOID(cairo_set_source_rgb, (cairo_t *cr, double red, double green, double blue), (cr, red, green, blue))
LAZY_VOID(cairo_set_source_rgba, (cairo_t *cr, double red, double green, double blue, double alpha), (cr, red, green, blue, alpha))
LAZY_VOID(cairo_show_glyphs, (cairo_t *cr, const cairo_glyph_t *glyphs, int num_glyphs), (cr, glyphs, num_glyphs))
LAZY(cairo_status_t, cairo_status, (cairo_t *cr), (cr))
LAZY(const char *, cairo_status_to_string, (cairo_status_t status), (status))
LAZY_VOID(cairo_stroke, (cairo_t *cr), (cr))
LAZY_VOID(cairo_surface_destroy, (cairo_surface_t *surface), (surface))
LAZY_VOID(cairo_surface_finish, (cairo_surface_t *surface), (surface))
LAZY_VOID(cairo_surface_flush, (cairo_surface_t *surface), (surface))
LAZY(cairo_status_t, cairo_surface_status, (cairo_surface_t *surface), (surface))
LAZY(cairo_status_t, cairo_surface_write_to_png, (cairo_surface_t *surface, const char *filename), (surface, filename))
LAZY(cairo_surface_t *, cairo_svg_surface_create_for_stream, (cairo_write_func_t write_func, void *closure, double width_in_points, double height_in_points), (write_func, closure, width_in_points, height_in_points))
LAZY_VOID(cairo_svg_surface_restrict_to_version, (cairo_surface_t *surface, cairo_svg_version_t version), (surface, version))
LAZY_VOID(cairo_text_extents, (cairo_t *cr, const char *utf8, cairo_text_extents_t *extents), (cr, utf8, extents))
LAZY(cairo_font_face_t *, cairo_toy_font_face_create, (const char *family, cairo_font_slant_t slant, cairo_font_weight_t weight), (family, slant, weight))
