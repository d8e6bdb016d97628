// Package ginkgo provides the subset of the github.com/onsi/ginkgo/v2 API that
// the OCI distribution conformance suite uses, implemented on top of Ginkgo v1
// (github.com/onsi/ginkgo 1.16, packaged by Debian as
// golang-github-onsi-ginkgo-dev).
//
// Why: the machine that builds the suite has no Go module proxy and Debian
// does not package Ginkgo v2. Spec execution, ordering, skipping and failure
// handling are Ginkgo v1's own; this package only renames the DSL and turns
// v1's reporter callbacks into v2's ReportAfterEach / ReportAfterSuite calls
// so that the suite's source files stay unmodified.
package ginkgo

import (
	"os"
	"time"

	v1 "github.com/onsi/ginkgo"
	v1config "github.com/onsi/ginkgo/config"
	v1types "github.com/onsi/ginkgo/types"

	"github.com/onsi/ginkgo/v2/types"
)

type (
	Report         = types.Report
	SpecReport     = types.SpecReport
	GinkgoTestingT = v1.GinkgoTestingT
)

var (
	reportAfterEachBodies  []func(SpecReport)
	reportAfterSuiteBodies []func(Report)
)

func Describe(text string, body func()) bool { return v1.Describe(text, body) }
func Context(text string, body func()) bool  { return v1.Context(text, body) }
func When(text string, body func()) bool     { return v1.When(text, body) }
func It(text string, body func()) bool       { return v1.It(text, body) }
func Specify(text string, body func()) bool  { return v1.Specify(text, body) }
func BeforeEach(body func()) bool            { return v1.BeforeEach(body) }
func AfterEach(body func()) bool             { return v1.AfterEach(body) }

// Skip and Fail add one frame to callerSkip so that v1 records the location
// of the suite's call rather than this wrapper.
func Skip(message string, callerSkip ...int) {
	v1.Skip(message, oneFrameUp(callerSkip))
}

func Fail(message string, callerSkip ...int) {
	v1.Fail(message, oneFrameUp(callerSkip))
}

func oneFrameUp(callerSkip []int) int {
	if len(callerSkip) > 0 {
		return callerSkip[0] + 1
	}
	return 1
}

func GinkgoRandomSeed() int64 {
	return v1config.GinkgoConfig.RandomSeed
}

func GinkgoConfiguration() (types.SuiteConfig, types.ReporterConfig) {
	return types.SuiteConfig{RandomSeed: v1config.GinkgoConfig.RandomSeed},
		types.ReporterConfig{
			NoColor: v1config.DefaultReporterConfig.NoColor,
			Verbose: v1config.DefaultReporterConfig.Verbose,
		}
}

func ReportAfterEach(body func(SpecReport)) bool {
	reportAfterEachBodies = append(reportAfterEachBodies, body)
	return true
}

func ReportAfterSuite(_ string, body func(Report)) bool {
	reportAfterSuiteBodies = append(reportAfterSuiteBodies, body)
	return true
}

// RunSpecs runs the specs with Ginkgo v1's default console reporter plus an
// adapter that feeds the registered v2-style report callbacks. The v2 config
// arguments are accepted and ignored: v1 reads its own -ginkgo.* flags.
func RunSpecs(t GinkgoTestingT, description string, _ ...interface{}) bool {
	// v1 prints a deprecation banner for custom reporters; that banner is about
	// this adapter, not about the suite, so it is acknowledged here.
	if os.Getenv("ACK_GINKGO_DEPRECATIONS") == "" {
		_ = os.Setenv("ACK_GINKGO_DEPRECATIONS", "1.16.5")
	}
	adapter := &reportAdapter{report: Report{SuiteDescription: description, StartTime: time.Now()}}
	return v1.RunSpecsWithDefaultAndCustomReporters(t, description, []v1.Reporter{adapter})
}

type reportAdapter struct {
	report Report
}

func (a *reportAdapter) SpecSuiteWillBegin(_ v1config.GinkgoConfigType, _ *v1types.SuiteSummary) {}
func (a *reportAdapter) BeforeSuiteDidRun(_ *v1types.SetupSummary)                               {}
func (a *reportAdapter) SpecWillRun(_ *v1types.SpecSummary)                                      {}
func (a *reportAdapter) AfterSuiteDidRun(_ *v1types.SetupSummary)                                {}

func (a *reportAdapter) SpecDidComplete(summary *v1types.SpecSummary) {
	report := toSpecReport(summary)
	a.report.SpecReports = append(a.report.SpecReports, report)
	for _, body := range reportAfterEachBodies {
		body(report)
	}
}

func (a *reportAdapter) SpecSuiteDidEnd(summary *v1types.SuiteSummary) {
	a.report.SuiteSucceeded = summary.SuiteSucceeded
	a.report.EndTime = time.Now()
	a.report.RunTime = a.report.EndTime.Sub(a.report.StartTime)
	for _, body := range reportAfterSuiteBodies {
		body(a.report)
	}
}

// toSpecReport maps a v1 summary to a v2 report. v1's ComponentTexts start
// with the implicit "[Top Level]" container and end with the spec's own text;
// v2 keeps the containers in ContainerHierarchyTexts and the spec text in
// LeafNodeText.
func toSpecReport(summary *v1types.SpecSummary) SpecReport {
	texts := summary.ComponentTexts
	if len(texts) > 0 && texts[0] == "[Top Level]" {
		texts = texts[1:]
	}
	var containers []string
	leaf := ""
	if len(texts) > 0 {
		containers = append(containers, texts[:len(texts)-1]...)
		leaf = texts[len(texts)-1]
	}
	end := time.Now()
	return SpecReport{
		ContainerHierarchyTexts: containers,
		LeafNodeType:            "It",
		LeafNodeText:            leaf,
		State:                   toSpecState(summary.State),
		StartTime:               end.Add(-summary.RunTime),
		EndTime:                 end,
		RunTime:                 summary.RunTime,
		Failure: types.Failure{
			Message: summary.Failure.Message,
			Location: types.CodeLocation{
				FileName:   summary.Failure.Location.FileName,
				LineNumber: summary.Failure.Location.LineNumber,
			},
			ForwardedPanic: summary.Failure.ForwardedPanic,
		},
		CapturedGinkgoWriterOutput: summary.CapturedOutput,
	}
}

func toSpecState(state v1types.SpecState) types.SpecState {
	switch state {
	case v1types.SpecStatePending:
		return types.SpecStatePending
	case v1types.SpecStateSkipped:
		return types.SpecStateSkipped
	case v1types.SpecStatePassed:
		return types.SpecStatePassed
	case v1types.SpecStateFailed:
		return types.SpecStateFailed
	case v1types.SpecStatePanicked:
		return types.SpecStatePanicked
	case v1types.SpecStateTimedOut:
		return types.SpecStateTimedout
	default:
		return types.SpecStateInvalid
	}
}
