// A static Go program (raw syscalls, no libc) that serves and dials UNIX
// sockets bound to paths in the directory given: stream and datagram
// (WriteToUnix is sendmsg with an address), and a FIFO.
package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

func must(err error) {
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
}

func main() {
	dir := os.Args[1]
	sp := filepath.Join(dir, "go.sock")
	os.Remove(sp)
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: sp, Net: "unix"})
	must(err)
	done := make(chan string)
	go func() {
		c, err := l.AcceptUnix()
		must(err)
		line, err := bufio.NewReader(c).ReadString('\n')
		must(err)
		c.Write([]byte(strings.ToUpper(line)))
		c.Close()
		done <- "served"
	}()
	c, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: sp, Net: "unix"})
	must(err)
	fmt.Println("remote:", strings.TrimPrefix(c.RemoteAddr().String(), dir))
	c.Write([]byte("hello from go\n"))
	reply, err := bufio.NewReader(c).ReadString('\n')
	must(err)
	fmt.Print("reply: ", reply)
	fmt.Println(<-done)
	l.Close()
	if _, err := os.Stat(sp); os.IsNotExist(err) {
		fmt.Println("the listener's close removed its name")
	}

	dp := filepath.Join(dir, "go.dgram")
	os.Remove(dp)
	srv, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: dp, Net: "unixgram"})
	must(err)
	cp := filepath.Join(dir, "go.client")
	os.Remove(cp)
	cl, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: cp, Net: "unixgram"})
	must(err)
	_, err = cl.WriteToUnix([]byte("datagram"), &net.UnixAddr{Name: dp, Net: "unixgram"})
	must(err)
	buf := make([]byte, 64)
	n, from, err := srv.ReadFromUnix(buf)
	must(err)
	// the peer's name is its host twin's in a pool (pmemfile(7))
	fmt.Println("got:", string(buf[:n]), "from a named peer:", from.Name != "")

	fp := filepath.Join(dir, "go.fifo")
	os.Remove(fp)
	must(syscall.Mkfifo(fp, 0644))
	go func() {
		w, err := os.OpenFile(fp, os.O_WRONLY, 0)
		must(err)
		w.Write([]byte("through the fifo\n"))
		w.Close()
	}()
	r, err := os.Open(fp)
	must(err)
	line, err := bufio.NewReader(r).ReadString('\n')
	must(err)
	fmt.Print("fifo: ", line)
	st, err := r.Stat()
	must(err)
	fmt.Println("fifo mode:", st.Mode().String())
	r.Close()
	os.Remove(fp)
	os.Remove(dp)
	os.Remove(cp)
	fmt.Println("done")
}
