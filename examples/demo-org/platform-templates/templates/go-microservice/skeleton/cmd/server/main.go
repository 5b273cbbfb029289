package main

import (
	"net/http"

	"github.com/kloudvin/go-service-kit/kit"
)

func main() {
	svc := kit.New("${{ values.name }}")
	svc.HTTP().HandleFunc("/v1/hello", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("hello from ${{ values.name }}\n"))
	})
	svc.Run()
}
