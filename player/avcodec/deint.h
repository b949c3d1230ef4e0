// The deinterlacing filter graph of the avcodec package: buffer -> yadif ->
// buffersink, built in one call so that Go sees a single C function.
#ifndef MANBANG_AVCODEC_DEINT_H
#define MANBANG_AVCODEC_DEINT_H

#include <stdio.h>
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/mem.h>

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
	*g = avfilter_graph_alloc();
	if (*g == NULL) {
		return AVERROR(ENOMEM);
	}
	ret = avfilter_graph_create_filter(src, avfilter_get_by_name("buffer"), "in", args, NULL, *g);
	if (ret < 0) {
		goto fail;
	}
	ret = avfilter_graph_create_filter(sink, avfilter_get_by_name("buffersink"), "out", NULL, NULL, *g);
	if (ret < 0) {
		goto fail;
	}
	outputs = avfilter_inout_alloc();
	inputs = avfilter_inout_alloc();
	if (outputs == NULL || inputs == NULL) {
		ret = AVERROR(ENOMEM);
		goto fail;
	}
	outputs->name = av_strdup("in");
	outputs->filter_ctx = *src;
	inputs->name = av_strdup("out");
	inputs->filter_ctx = *sink;
	ret = avfilter_graph_parse_ptr(*g, MB_DEINT_FILTER, &inputs, &outputs, NULL);
	if (ret < 0) {
		goto fail;
	}
	ret = avfilter_graph_config(*g, NULL);
	if (ret < 0) {
		goto fail;
	}
	avfilter_inout_free(&inputs);
	avfilter_inout_free(&outputs);
	return 0;
fail:
	avfilter_inout_free(&inputs);
	avfilter_inout_free(&outputs);
	avfilter_graph_free(g);
	return ret;
}

#endif
