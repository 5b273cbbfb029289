module github.com/kloudvin/${{ values.name }}

go 1.22

require github.com/kloudvin/go-service-kit v4.6.0
