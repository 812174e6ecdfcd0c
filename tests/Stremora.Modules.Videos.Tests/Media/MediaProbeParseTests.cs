using Stremora.Modules.Videos.Media;

namespace Stremora.Modules.Videos.Tests.Media;

/// <summary>ffprobe's JSON as the probe reads it: the figures the contract shows, and what counts as no video.</summary>
public sealed class MediaProbeParseTests
{
    [Fact]
    public void A_quarter_turn_swaps_width_and_height_and_a_fractional_rate_is_kept()
    {
        const string json = """
            {"frames":[{"media_type":"video"}],
             "streams":[{"index":0,"codec_type":"video","codec_name":"hevc","width":1920,"height":1080,"avg_frame_rate":"30000/1001",
                         "side_data_list":[{"rotation":-90}]}],
             "format":{"format_name":"mov,mp4,m4a,3gp,3g2,mj2","duration":"12.480000","bit_rate":"2500000"}}
            """;

        var media = Assert.IsType<ProbeResult.Analyzed>(MediaProbe.Parse(json, "video/quicktime")).Media;

        Assert.Equal(new VideoMedia(12.48, 1080, 1920, 270, "hevc", null, 29.97, 2_500_000, "mov"), media);
    }

    [Fact]
    public void An_audio_file_with_a_cover_picture_has_no_video_stream()
    {
        const string json = """
            {"frames":[{"media_type":"audio"},{"media_type":"video"}],
             "streams":[{"index":0,"codec_type":"audio","codec_name":"aac"},
                        {"index":1,"codec_type":"video","codec_name":"mjpeg","width":600,"height":600,"disposition":{"attached_pic":1}}],
             "format":{"format_name":"mov,mp4,m4a,3gp,3g2,mj2","duration":"200.0"}}
            """;

        Assert.Equal("It has no video stream (it is audio only).", Assert.IsType<ProbeResult.Undecodable>(MediaProbe.Parse(json, "video/mp4")).Reason);
    }

    [Fact]
    public void A_video_stream_none_of_whose_first_packets_decodes_is_refused()
    {
        const string json = """
            {"frames":[],"streams":[{"index":0,"codec_type":"video","codec_name":"h264","width":640,"height":360}],"format":{"duration":"3.0"}}
            """;

        Assert.Equal("Its video stream could not be decoded.", Assert.IsType<ProbeResult.Undecodable>(MediaProbe.Parse(json, "video/mp4")).Reason);
    }

    [Fact]
    public void A_live_recording_without_a_duration_still_has_its_other_figures()
    {
        const string json = """
            {"frames":[{"media_type":"video"}],
             "streams":[{"index":0,"codec_type":"video","codec_name":"vp8","width":640,"height":480,"avg_frame_rate":"0/0","r_frame_rate":"1000/1"},
                        {"index":1,"codec_type":"audio","codec_name":"opus"}],
             "format":{"format_name":"matroska,webm"}}
            """;

        var media = Assert.IsType<ProbeResult.Analyzed>(MediaProbe.Parse(json, "video/webm")).Media;

        Assert.Equal(new VideoMedia(null, 640, 480, 0, "vp8", "opus", 1000, null, "webm"), media);
    }
}
