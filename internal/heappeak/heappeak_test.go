package heappeak

import "testing"

var sink []byte

func TestStartSeesAnAllocation(t *testing.T) {
	stop := Start()
	sink = make([]byte, 64<<20)
	sink[len(sink)-1] = 1
	if got := stop(); got < 64<<20 {
		t.Fatalf("peak %d bytes while 64 MiB were live", got)
	}
	sink = nil
}
