// GStreamer's RTSP server serving one MP4's H.264 track over RTSP, TCP-interleaved only: an independent
// server to check our RTSP client options against. Run with gjs (Debian; see infra/install-test-media.sh):
//   gjs gst-rtsp-server.js <clip.mp4> [path]   → prints "READY <port>" once listening on 127.0.0.1.
imports.gi.versions.Gst = '1.0';
imports.gi.versions.GstRtspServer = '1.0';
imports.gi.versions.GstRtsp = '1.0';
const { GLib, Gst, GstRtsp, GstRtspServer } = imports.gi;

Gst.init(null);
const [clip, path = 'cam'] = ARGV;
const server = new GstRtspServer.RTSPServer({ address: '127.0.0.1', service: '0' });
const factory = new GstRtspServer.RTSPMediaFactory();
// qtdemux hands rtph264pay AVC access units directly; config-interval=1 repeats SPS/PPS like a camera does.
factory.set_launch(`( filesrc location="${clip}" ! qtdemux ! rtph264pay name=pay0 pt=96 config-interval=1 )`);
// TCP only: a client that does not ask for interleaving gets refused, so a working read proves TCP.
factory.set_protocols(GstRtsp.RTSPLowerTrans.TCP);
factory.set_shared(false);
server.get_mount_points().add_factory(`/${path}`, factory);
server.attach(null);
print(`READY ${server.get_bound_port()}`);
new GLib.MainLoop(null, false).run();
