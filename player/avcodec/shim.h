// Small C helpers for the avcodec package: constants that are macros in
// FFmpeg's headers, and fields whose name changed between FFmpeg versions.
// Everything else is called directly from Go.
#ifndef MANBANG_AVCODEC_SHIM_H
#define MANBANG_AVCODEC_SHIM_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/channel_layout.h>
#include <libavutil/frame.h>
#include <libavutil/hwcontext.h>
#include <libavutil/pixdesc.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>

enum {
	MB_EAGAIN = AVERROR(EAGAIN),
	MB_EOF = AVERROR_EOF,
	MB_EINVAL = AVERROR(EINVAL),
	MB_ENOMEM = AVERROR(ENOMEM),
	MB_INVALIDDATA = AVERROR_INVALIDDATA,
	MB_PADDING = AV_INPUT_BUFFER_PADDING_SIZE,
};

// mb_frame_interlaced reports whether a decoded picture is interlaced.
static inline int mb_frame_interlaced(const AVFrame *f) {
#ifdef AV_FRAME_FLAG_INTERLACED
	return (f->flags & AV_FRAME_FLAG_INTERLACED) != 0;
#else
	return f->interlaced_frame;
#endif
}

// mb_frame_duration returns the frame's duration in the packet time base,
// or 0 when unknown.
static inline int64_t mb_frame_duration(const AVFrame *f) {
#if LIBAVUTIL_VERSION_MAJOR >= 58
	return f->duration;
#else
	return f->pkt_duration;
#endif
}

// mb_strerror writes FFmpeg's description of err into buf.
static inline void mb_strerror(int err, char *buf, size_t size) {
	if (av_strerror(err, buf, size) < 0) {
		snprintf(buf, size, "ffmpeg error %d", err);
	}
}

// mb_swr_open (re)configures *swr to turn frames shaped like f into
// interleaved signed 16-bit samples at the same rate, in out_channels
// channels (1 or 2). The input layout is f's, or the default layout for its
// channel count when f does not say.
static inline int mb_swr_open(SwrContext **swr, const AVFrame *f, int out_channels) {
	AVChannelLayout in = {0}, out = {0};
	int ret;
	if (f->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC || f->ch_layout.nb_channels <= 0) {
		av_channel_layout_default(&in, f->ch_layout.nb_channels);
	} else if ((ret = av_channel_layout_copy(&in, &f->ch_layout)) < 0) {
		return ret;
	}
	av_channel_layout_default(&out, out_channels);
	swr_free(swr);
	ret = swr_alloc_set_opts2(swr, &out, AV_SAMPLE_FMT_S16, f->sample_rate,
		&in, f->format, f->sample_rate, 0, NULL);
	av_channel_layout_uninit(&in);
	av_channel_layout_uninit(&out);
	if (ret < 0) {
		return ret;
	}
	return swr_init(*swr);
}

// mb_swr_convert converts f into out, which holds room for out_count
// interleaved sample frames. It returns the number of frames written.
static inline int mb_swr_convert(SwrContext *swr, uint8_t *out, int out_count, const AVFrame *f) {
	uint8_t *planes[1] = {out};
	return swr_convert(swr, planes, out_count, (const uint8_t **)f->extended_data, f->nb_samples);
}

// mb_sws_convert converts src into dst (already allocated with dst's
// width, height and format), scaling nothing, only changing the format.
static inline int mb_sws_convert(struct SwsContext *sws, const AVFrame *src, AVFrame *dst) {
	return sws_scale(sws, (const uint8_t *const *)src->data, src->linesize, 0, src->height,
		dst->data, dst->linesize);
}

#endif
