// The deinterlacing filter graph of the avcodec package: buffer -> yadif ->
// buffersink, built in one call so that Go sees a single C function.
//
// libavfilter is not linked: it drags in dozens of libraries (flite
// voices, rsvg, placebo, lapack…) worth about 10 MiB of resident memory,
// and only interlaced streams need it. mb_avfilter_load opens it with
// dlopen at the first interlaced picture, and every avfilter call below
// goes through the table it fills. Include this file from deinterlace.go
// alone: the table is static, one copy per C file, and cgo compiles each Go
// file's preamble as a C file of its own.
#ifndef MANBANG_AVCODEC_DEINT_H
#define MANBANG_AVCODEC_DEINT_H

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/mem.h>

// MB_AVFILTER_LIB is the soname of the libavfilter the package was built
// against (its major version decides the ABI).
#define MB_STR_(x) #x
#define MB_STR(x) MB_STR_(x)
#define MB_AVFILTER_LIB "libavfilter.so." MB_STR(LIBAVFILTER_VERSION_MAJOR)

// mb_avf_table holds the libavfilter functions the package uses, filled by
// mb_avfilter_load.
struct mb_avf_table {
	AVFilterGraph *(*graph_alloc)(void);
	int (*graph_create_filter)(AVFilterContext **, const AVFilter *, const char *, const char *, void *, AVFilterGraph *);
	const AVFilter *(*get_by_name)(const char *);
	AVFilterInOut *(*inout_alloc)(void);
	void (*inout_free)(AVFilterInOut **);
	int (*graph_parse_ptr)(AVFilterGraph *, const char *, AVFilterInOut **, AVFilterInOut **, void *);
	int (*graph_config)(AVFilterGraph *, void *);
	void (*graph_free)(AVFilterGraph **);
	int (*buffersrc_write_frame)(AVFilterContext *, const AVFrame *);
	int (*buffersrc_add_frame)(AVFilterContext *, AVFrame *);
	int (*buffersink_get_frame)(AVFilterContext *, AVFrame *);
};
static struct mb_avf_table mb_avf;

// mb_avfilter_load opens the library called name and fills mb_avf. On
// failure it writes why into err and leaves mb_avf as it was. The Go side
// calls it at most once per name, never concurrently.
static inline int mb_avfilter_load(const char *name, char *err, size_t errsize) {
	struct mb_avf_table t;
	const char *missing = NULL;
	void *h = dlopen(name, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		const char *e = dlerror();
		snprintf(err, errsize, "%s", e != NULL ? e : "dlopen failed");
		return -1;
	}
#define MB_SYM(field, sym) \
	if ((*(void **)&t.field = dlsym(h, #sym)) == NULL && missing == NULL) missing = #sym
	MB_SYM(graph_alloc, avfilter_graph_alloc);
	MB_SYM(graph_create_filter, avfilter_graph_create_filter);
	MB_SYM(get_by_name, avfilter_get_by_name);
	MB_SYM(inout_alloc, avfilter_inout_alloc);
	MB_SYM(inout_free, avfilter_inout_free);
	MB_SYM(graph_parse_ptr, avfilter_graph_parse_ptr);
	MB_SYM(graph_config, avfilter_graph_config);
	MB_SYM(graph_free, avfilter_graph_free);
	MB_SYM(buffersrc_write_frame, av_buffersrc_write_frame);
	MB_SYM(buffersrc_add_frame, av_buffersrc_add_frame);
	MB_SYM(buffersink_get_frame, av_buffersink_get_frame);
#undef MB_SYM
	if (missing != NULL) {
		snprintf(err, errsize, "%s: no symbol %s", name, missing);
		dlclose(h);
		return -1;
	}
	mb_avf = t; // the handle stays open for the life of the process
	return 0;
}

static inline void mb_avfilter_graph_free(AVFilterGraph **g) { mb_avf.graph_free(g); }
static inline int mb_buffersrc_write_frame(AVFilterContext *c, const AVFrame *f) { return mb_avf.buffersrc_write_frame(c, f); }
static inline int mb_buffersrc_drain(AVFilterContext *c) { return mb_avf.buffersrc_add_frame(c, NULL); }
static inline int mb_buffersink_get_frame(AVFilterContext *c, AVFrame *f) { return mb_avf.buffersink_get_frame(c, f); }

// The filter: yadif at frame rate (one picture out per picture in), with
// the field order taken from each frame, deinterlacing only the frames
// flagged interlaced; progressive frames pass through unchanged.
#define MB_DEINT_FILTER "yadif=mode=send_frame:parity=auto:deint=interlaced"

// mb_deint_open builds the graph for pictures shaped like f, with
// timestamps in tb. On failure *g is freed and NULL.
static inline int mb_deint_open(AVFilterGraph **g, AVFilterContext **src, AVFilterContext **sink,
		const AVFrame *f, AVRational tb) {
	char args[256];
	AVFilterInOut *outputs = NULL, *inputs = NULL;
	int ret;
	AVRational sar = f->sample_aspect_ratio;
	if (sar.num <= 0 || sar.den <= 0) {
		sar = (AVRational){1, 1};
	}
	snprintf(args, sizeof args, "video_size=%dx%d:pix_fmt=%d:time_base=%d/%d:pixel_aspect=%d/%d",
		f->width, f->height, f->format, tb.num, tb.den, sar.num, sar.den);
	*g = mb_avf.graph_alloc();
	if (*g == NULL) {
		return AVERROR(ENOMEM);
	}
	ret = mb_avf.graph_create_filter(src, mb_avf.get_by_name("buffer"), "in", args, NULL, *g);
	if (ret < 0) {
		goto fail;
	}
	ret = mb_avf.graph_create_filter(sink, mb_avf.get_by_name("buffersink"), "out", NULL, NULL, *g);
	if (ret < 0) {
		goto fail;
	}
	outputs = mb_avf.inout_alloc();
	inputs = mb_avf.inout_alloc();
	if (outputs == NULL || inputs == NULL) {
		ret = AVERROR(ENOMEM);
		goto fail;
	}
	outputs->name = av_strdup("in");
	outputs->filter_ctx = *src;
	inputs->name = av_strdup("out");
	inputs->filter_ctx = *sink;
	ret = mb_avf.graph_parse_ptr(*g, MB_DEINT_FILTER, &inputs, &outputs, NULL);
	if (ret < 0) {
		goto fail;
	}
	ret = mb_avf.graph_config(*g, NULL);
	if (ret < 0) {
		goto fail;
	}
	mb_avf.inout_free(&inputs);
	mb_avf.inout_free(&outputs);
	return 0;
fail:
	mb_avf.inout_free(&inputs);
	mb_avf.inout_free(&outputs);
	mb_avf.graph_free(g);
	return ret;
}

#endif
