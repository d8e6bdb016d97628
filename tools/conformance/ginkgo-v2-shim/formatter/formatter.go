// Package formatter forwards to Ginkgo v1's formatter, whose {{color}} markup
// and indentation API is the one Ginkgo v2 kept. The conformance suite uses
// Fi to print warnings.
package formatter

import v1formatter "github.com/onsi/ginkgo/formatter"

func F(format string, args ...interface{}) string {
	return v1formatter.F(format, args...)
}

func Fi(indentation uint, format string, args ...interface{}) string {
	return v1formatter.Fi(indentation, format, args...)
}

func Fiw(indentation uint, maxWidth uint, format string, args ...interface{}) string {
	return v1formatter.Fiw(indentation, maxWidth, format, args...)
}
