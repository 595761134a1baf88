// A static Go program for the pmemfile-run end-to-end tests. It works in the
// directory given as its argument: writes, reads, renames and lists files,
// from several goroutines at once, and prints a deterministic report that
// the test compares between a native run on tmpfs and a run in the pool.
// A CPU-bound goroutine runs meanwhile so the runtime's preemption signals
// (SIGURG) hit threads that are inside trapped system calls.
package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

func check(err error) {
	if err != nil {
		fmt.Println("ERROR:", err)
		os.Exit(1)
	}
}

func content(w, i int) []byte {
	var b bytes.Buffer
	for j := 0; j < (w+1)*(i+1)*97; j++ {
		fmt.Fprintf(&b, "%d:%d:%d\n", w, i, j)
	}
	return b.Bytes()
}

func main() {
	if len(os.Args) != 2 {
		fmt.Println("usage: gotest DIR")
		os.Exit(2)
	}
	dir := os.Args[1]
	check(os.MkdirAll(filepath.Join(dir, "work", "sub"), 0755))

	var stop int32
	var spin sync.WaitGroup
	spin.Add(1)
	go func() { // keeps the scheduler busy: asynchronous preemption
		defer spin.Done()
		x := 0
		for atomic.LoadInt32(&stop) == 0 {
			x++
		}
		_ = x
	}()

	const workers, files = 8, 12
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < files; i++ {
				name := filepath.Join(dir, "work", fmt.Sprintf("w%d-f%02d.tmp", w, i))
				data := content(w, i)
				if err := os.WriteFile(name, data, 0644); err != nil {
					errs <- err
					return
				}
				got, err := os.ReadFile(name)
				if err != nil || !bytes.Equal(got, data) {
					errs <- fmt.Errorf("read back %s: %v", name, err)
					return
				}
				final := strings.TrimSuffix(name, ".tmp") + ".dat"
				if err := os.Rename(name, final); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		check(err)
	}

	entries, err := os.ReadDir(filepath.Join(dir, "work"))
	check(err)
	names := []string{}
	total := int64(0)
	h := sha256.New()
	for _, e := range entries {
		names = append(names, e.Name())
		if e.Type().IsRegular() {
			info, err := e.Info()
			check(err)
			total += info.Size()
			f, err := os.Open(filepath.Join(dir, "work", e.Name()))
			check(err)
			_, err = io.Copy(h, f)
			check(err)
			check(f.Close())
		}
	}
	sort.Strings(names)
	fmt.Println("entries:", len(names), "first:", names[0], "last:", names[len(names)-1])
	fmt.Println("bytes:", total)
	fmt.Printf("sha256: %x\n", h.Sum(nil))

	// Appends, seeks, truncate, a relative path after Chdir, Getwd.
	log := filepath.Join(dir, "work", "sub", "log")
	f, err := os.OpenFile(log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0600)
	check(err)
	for i := 0; i < 100; i++ {
		_, err = fmt.Fprintf(f, "entry %d\n", i)
		check(err)
	}
	check(f.Close())
	f, err = os.OpenFile(log, os.O_RDWR, 0)
	check(err)
	_, err = f.Seek(-9, io.SeekEnd)
	check(err)
	buf := make([]byte, 9)
	_, err = io.ReadFull(f, buf)
	check(err)
	fmt.Printf("last entry: %q\n", buf)
	check(f.Truncate(80))
	st, err := f.Stat()
	check(err)
	fmt.Println("truncated size:", st.Size(), "mode:", st.Mode())
	check(f.Close())
	check(os.Chdir(filepath.Join(dir, "work")))
	wd, err := os.Getwd()
	check(err)
	fmt.Println("getwd matches:", wd == filepath.Join(dir, "work"))
	b, err := os.ReadFile("sub/log")
	check(err)
	fmt.Println("relative read:", len(b))
	check(os.Symlink("sub/log", "loglink"))
	target, err := os.Readlink("loglink")
	check(err)
	fmt.Println("symlink:", target)
	check(os.Remove(filepath.Join(dir, "work", "w0-f00.dat")))
	_, err = os.Stat("w0-f00.dat")
	fmt.Println("removed:", os.IsNotExist(err))
	count := 0
	check(filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		count++
		return err
	}))
	fmt.Println("walked:", count)

	atomic.StoreInt32(&stop, 1)
	spin.Wait()
	fmt.Println("done")
}
