// Package reporters provides the one Ginkgo v2 reporter entry point the
// conformance suite calls: GenerateJUnitReportWithConfig.
package reporters

import (
	"encoding/xml"
	"fmt"
	"os"
	"strings"

	"github.com/onsi/ginkgo/v2/types"
)

// JunitReportConfig keeps the v2 field the suite sets. Leaf node types are
// never written by this implementation, so OmitLeafNodeType changes nothing.
type JunitReportConfig struct {
	OmitLeafNodeType bool
}

type junitTestSuites struct {
	XMLName  xml.Name         `xml:"testsuites"`
	Tests    int              `xml:"tests,attr"`
	Failures int              `xml:"failures,attr"`
	Errors   int              `xml:"errors,attr"`
	Skipped  int              `xml:"skipped,attr"`
	Time     float64          `xml:"time,attr"`
	Suites   []junitTestSuite `xml:"testsuite"`
}

type junitTestSuite struct {
	Name      string          `xml:"name,attr"`
	Tests     int             `xml:"tests,attr"`
	Failures  int             `xml:"failures,attr"`
	Errors    int             `xml:"errors,attr"`
	Skipped   int             `xml:"skipped,attr"`
	Time      float64         `xml:"time,attr"`
	Timestamp string          `xml:"timestamp,attr"`
	TestCases []junitTestCase `xml:"testcase"`
}

type junitTestCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Status    string        `xml:"status,attr"`
	Time      float64       `xml:"time,attr"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Error     *junitFailure `xml:"error,omitempty"`
	SystemErr string        `xml:"system-err,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
}

type junitFailure struct {
	Message     string `xml:"message,attr"`
	Type        string `xml:"type,attr"`
	Description string `xml:",chardata"`
}

// GenerateJUnitReportWithConfig writes report as a JUnit XML file at dst.
func GenerateJUnitReportWithConfig(report types.Report, dst string, _ JunitReportConfig) error {
	suite := junitTestSuite{
		Name:      report.SuiteDescription,
		Time:      report.RunTime.Seconds(),
		Timestamp: report.StartTime.Format("2006-01-02T15:04:05"),
	}
	for _, spec := range report.SpecReports {
		testCase := junitTestCase{
			Name:      strings.TrimSpace(spec.FullText()),
			Classname: report.SuiteDescription,
			Status:    spec.State.String(),
			Time:      spec.RunTime.Seconds(),
		}
		switch {
		case spec.State.Is(types.SpecStateSkipped | types.SpecStatePending):
			testCase.Skipped = &junitMessage{Message: spec.Failure.Message}
			suite.Skipped++
		case spec.State.Is(types.SpecStateFailed):
			testCase.Failure = &junitFailure{
				Message:     spec.Failure.Message,
				Type:        "failed",
				Description: fmt.Sprintf("%s\n%s", spec.Failure.Location, spec.Failure.Message),
			}
			testCase.SystemErr = spec.CombinedOutput()
			suite.Failures++
		case spec.State.Is(types.SpecStatePanicked | types.SpecStateInterrupted | types.SpecStateAborted | types.SpecStateTimedout):
			testCase.Error = &junitFailure{
				Message:     spec.Failure.Message,
				Type:        spec.State.String(),
				Description: fmt.Sprintf("%s\n%s\n%s", spec.Failure.Location, spec.Failure.Message, spec.Failure.ForwardedPanic),
			}
			testCase.SystemErr = spec.CombinedOutput()
			suite.Errors++
		}
		suite.TestCases = append(suite.TestCases, testCase)
	}
	suite.Tests = len(suite.TestCases)

	suites := junitTestSuites{
		Tests:    suite.Tests,
		Failures: suite.Failures,
		Errors:   suite.Errors,
		Skipped:  suite.Skipped,
		Time:     suite.Time,
		Suites:   []junitTestSuite{suite},
	}

	f, err := os.Create(dst)
	if err != nil {
		return fmt.Errorf("failed to create JUnit report file %s: %w", dst, err)
	}
	defer f.Close()
	if _, err := f.WriteString(xml.Header); err != nil {
		return err
	}
	encoder := xml.NewEncoder(f)
	encoder.Indent("", "  ")
	if err := encoder.Encode(suites); err != nil {
		return fmt.Errorf("failed to write JUnit report to %s: %w", dst, err)
	}
	return nil
}
