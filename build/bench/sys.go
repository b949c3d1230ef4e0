package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Machine describes where a run happened.
type Machine struct {
	CPU      string   `json:"cpu"`
	Cores    int      `json:"cores"`
	MemoryMB int      `json:"memory_mb"`
	Load     []string `json:"load"` // /proc/loadavg at the start and the end of the run
	Kernel   string   `json:"kernel"`
	Versions map[string]string
}

// machine reads the CPU, memory, load and the versions of the tools.
func machine(ctx context.Context) Machine {
	m := Machine{Cores: runtime.NumCPU(), Versions: map[string]string{}}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int
		fmt.Sscanf(string(b), "MemTotal: %d kB", &kb)
		m.MemoryMB = kb / 1024
	}
	m.Load = []string{loadavg()}
	m.Kernel = firstLine(ctx, "uname", "-sr")
	m.Versions["go"] = runtime.Version()
	m.Versions["ffmpeg"] = firstLine(ctx, "ffmpeg", "-hide_banner", "-version")
	m.Versions["mpv"] = firstLine(ctx, "mpv", "--no-config", "--version")
	m.Versions["ffplay"] = firstLine(ctx, "ffplay", "-hide_banner", "-version")
	m.Versions["mesa"] = mesaVersion()
	return m
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func firstLine(ctx context.Context, name string, args ...string) string {
	out, err := exec.CommandContext(ctx, name, args...).Output()
	if err != nil {
		return "not installed"
	}
	l, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(l)
}

// mesaVersion is the version of Debian's Mesa driver package.
func mesaVersion() string {
	out, err := exec.Command("dpkg-query", "-W", "-f=${Version}\n", "libgl1-mesa-dri").Output()
	if err != nil || len(out) == 0 {
		return "unknown"
	}
	v, _, _ := strings.Cut(string(out), "\n")
	return v
}

// procSample is what /proc says of a process at one moment.
type procSample struct {
	cpuTicks int64 // utime + stime, in clock ticks
	rssKB    int64
	hwmKB    int64 // peak RSS
	threads  int
	fds      int
}

// clockTicks is USER_HZ, 100 on every Linux the box and CI run.
const clockTicks = 100

// sampleProc reads /proc/PID/stat, status and fd.
func sampleProc(pid int) (procSample, error) {
	var s procSample
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return s, err
	}
	// The command name may hold spaces: the fields start after its ')'.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return s, errors.New("bad /proc stat")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return s, errors.New("short /proc stat")
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	s.cpuTicks = ut + st
	sf, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, err
	}
	defer sf.Close()
	sc := bufio.NewScanner(sf)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		n, _ := strconv.ParseInt(strings.Fields(v + " 0")[0], 10, 64)
		switch k {
		case "VmRSS":
			s.rssKB = n
		case "VmHWM":
			s.hwmKB = n
		case "Threads":
			s.threads = int(n)
		}
	}
	if ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid)); err == nil {
		s.fds = len(ents)
	}
	return s, nil
}

// freeUDPPort returns a loopback UDP port nobody uses at the moment, and
// the one after it (RTCP for players that want port+1).
func freeUDPPort() (int, error) {
	for range 50 {
		c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			return 0, err
		}
		p := c.LocalAddr().(*net.UDPAddr).Port
		c.Close()
		if p%2 == 0 && p < 65000 {
			if c2, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: p + 1}); err == nil {
				c2.Close()
				return p, nil
			}
		}
	}
	return 0, errors.New("no free even UDP port pair")
}

// waitUDPBound waits until some socket is bound to local UDP port.
func waitUDPBound(ctx context.Context, port int, deadline time.Duration) error {
	hex := fmt.Sprintf(":%04X ", port)
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		b, _ := os.ReadFile("/proc/net/udp")
		b6, _ := os.ReadFile("/proc/net/udp6")
		for _, l := range strings.Split(string(b)+string(b6), "\n") {
			f := strings.Fields(l)
			if len(f) > 2 && strings.Contains(f[1]+" ", hex) {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("udp port %d not bound: %w", port, ctx.Err())
		case <-tick.C:
		}
	}
}

// summary is the median, p95 and count of some samples.
type summary struct {
	Median float64 `json:"median"`
	P95    float64 `json:"p95"`
	N      int     `json:"n"`
	Failed int     `json:"failed,omitempty"`
}

func summarize(xs []float64, failed int) summary {
	if len(xs) == 0 {
		return summary{Failed: failed}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	q := func(p float64) float64 {
		i := int(p*float64(len(s)-1) + 0.5)
		return s[i]
	}
	return summary{Median: q(0.5), P95: q(0.95), N: len(s), Failed: failed}
}

// xvfb is a virtual X server for the windowed runs.
type xvfb struct {
	display string
	cmd     *exec.Cmd
}

// startXvfb starts Xvfb on a free display number, 1920x1080x24 with GLX.
func startXvfb(ctx context.Context) (*xvfb, error) {
	for n := 90; n < 110; n++ {
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n)); err == nil {
			continue
		}
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X%d-lock", n)); err == nil {
			continue
		}
		d := fmt.Sprintf(":%d", n)
		cmd := exec.CommandContext(ctx, "Xvfb", d, "-screen", "0", "1920x1080x24", "-nolisten", "tcp", "+extension", "GLX")
		if err := cmd.Start(); err != nil {
			return nil, fmt.Errorf("xvfb: %w", err)
		}
		sock := fmt.Sprintf("/tmp/.X11-unix/X%d", n)
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			if _, err := os.Stat(sock); err == nil {
				return &xvfb{display: d, cmd: cmd}, nil
			}
			time.Sleep(20 * time.Millisecond)
		}
		cmd.Process.Kill()
		cmd.Wait()
		return nil, errors.New("xvfb: no socket after 10s")
	}
	return nil, errors.New("xvfb: no free display")
}

// Close stops the server.
func (x *xvfb) Close() {
	x.cmd.Process.Signal(os.Interrupt)
	x.cmd.Wait()
}

func defaultCPUs() int { return runtime.NumCPU() }
