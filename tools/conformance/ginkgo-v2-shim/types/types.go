// Package types mirrors the subset of github.com/onsi/ginkgo/v2/types that the
// OCI distribution conformance suite uses (its HTML reporter reads SpecReport
// and Report). The build links it under the real import path because Debian
// ships only Ginkgo v1 and the machine has no Go module proxy; see
// tools/conformance/README.md.
package types

import (
	"strconv"
	"strings"
	"time"
)

// SpecState is a bit set so that CountWithState can match several states at
// once, as in Ginkgo v2.
type SpecState uint

const (
	SpecStateInvalid SpecState = 0

	SpecStatePending SpecState = 1 << iota
	SpecStateSkipped
	SpecStatePassed
	SpecStateFailed
	SpecStateAborted
	SpecStatePanicked
	SpecStateInterrupted
	SpecStateTimedout
)

var specStateNames = map[SpecState]string{
	SpecStateInvalid:     "INVALID SPEC STATE",
	SpecStatePending:     "pending",
	SpecStateSkipped:     "skipped",
	SpecStatePassed:      "passed",
	SpecStateFailed:      "failed",
	SpecStateAborted:     "aborted",
	SpecStatePanicked:    "panicked",
	SpecStateInterrupted: "interrupted",
	SpecStateTimedout:    "timedout",
}

// String returns the lowercase names Ginkgo v2 uses; the suite's HTML template
// compares against them ("failed", "passed", "skipped").
func (s SpecState) String() string {
	if name, ok := specStateNames[s]; ok {
		return name
	}
	return specStateNames[SpecStateInvalid]
}

// Is reports whether s is one of the given states.
func (s SpecState) Is(states SpecState) bool {
	return s&states != 0
}

// CodeLocation points at the source line of a node or failure.
type CodeLocation struct {
	FileName   string
	LineNumber int
}

func (c CodeLocation) String() string {
	if c.FileName == "" {
		return ""
	}
	return c.FileName + ":" + strconv.Itoa(c.LineNumber)
}

// Failure describes why a spec did not pass (or, for a skipped spec, why it
// was skipped, as in Ginkgo v2).
type Failure struct {
	Message        string
	Location       CodeLocation
	ForwardedPanic string
}

// SpecReport is the per-spec report handed to ReportAfterEach.
type SpecReport struct {
	ContainerHierarchyTexts    []string
	LeafNodeType               string
	LeafNodeText               string
	State                      SpecState
	StartTime                  time.Time
	EndTime                    time.Time
	RunTime                    time.Duration
	Failure                    Failure
	CapturedGinkgoWriterOutput string
	CapturedStdOutErr          string
}

// CombinedOutput joins the captured outputs the way Ginkgo v2 does.
func (report SpecReport) CombinedOutput() string {
	if report.CapturedStdOutErr == "" {
		return report.CapturedGinkgoWriterOutput
	}
	if report.CapturedGinkgoWriterOutput == "" {
		return report.CapturedStdOutErr
	}
	return report.CapturedStdOutErr + "\n" + report.CapturedGinkgoWriterOutput
}

// FailureMessage returns the failure (or skip) message.
func (report SpecReport) FailureMessage() string {
	return report.Failure.Message
}

// FullText joins the container texts and the leaf text.
func (report SpecReport) FullText() string {
	texts := append([]string{}, report.ContainerHierarchyTexts...)
	if report.LeafNodeText != "" {
		texts = append(texts, report.LeafNodeText)
	}
	return strings.Join(texts, " ")
}

// SpecReports is the list of every spec's report.
type SpecReports []SpecReport

// CountWithState counts the reports whose state is one of states.
func (reports SpecReports) CountWithState(states SpecState) int {
	n := 0
	for _, report := range reports {
		if report.State.Is(states) {
			n++
		}
	}
	return n
}

// Report is the whole-suite report handed to ReportAfterSuite.
type Report struct {
	SuiteDescription string
	SuiteSucceeded   bool
	StartTime        time.Time
	EndTime          time.Time
	RunTime          time.Duration
	SpecReports      SpecReports
}

// SuiteConfig and ReporterConfig exist so that GinkgoConfiguration() and
// RunSpecs(t, text, suiteConfig, reporterConfig) keep their v2 shape; the v1
// runner underneath reads its own -ginkgo.* flags.
type SuiteConfig struct {
	RandomSeed int64
}

type ReporterConfig struct {
	NoColor bool
	Verbose bool
}
