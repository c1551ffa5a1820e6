// Command go_smoke is a Go client smoke test against a running btv.v1 server,
// using the committed stubs in gen/go.
//
// Usage: go_smoke ADDRESS TOKEN
//
// TOKEN must be an admin or dev token. Build it with scripts/go-smoke.sh
// (GOPATH mode, Debian golang-google-grpc-dev). Prints one line per check and
// ends with "go smoke: N passed, M failed"; exits non-zero on any failure.
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"strings"
	"time"

	btvv1 "buildtovalue.dev/btv/gen/go/btv/v1"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

const (
	errorDomain = "buildtovalue.grpc"
	callTimeout = 15 * time.Second
)

var passed, failed int

func check(name string, fn func() (string, error)) {
	detail, err := fn()
	if err != nil {
		failed++
		fmt.Printf("FAIL - %s: %v\n", name, err)
		return
	}
	passed++
	if detail != "" {
		fmt.Printf("ok   - %s (%s)\n", name, detail)
	} else {
		fmt.Printf("ok   - %s\n", name)
	}
}

// tenantOf returns the unverified tenant_id claim of a JWT.
func tenantOf(token string) (string, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", fmt.Errorf("token is not a JWT")
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return "", err
	}
	var claims struct {
		TenantID string `json:"tenant_id"`
	}
	if err := json.Unmarshal(raw, &claims); err != nil {
		return "", err
	}
	return claims.TenantID, nil
}

// errorInfo returns the google.rpc.ErrorInfo detail of a gRPC error.
func errorInfo(err error) (*status.Status, *errdetails.ErrorInfo, *errdetails.BadRequest) {
	st, _ := status.FromError(err)
	var info *errdetails.ErrorInfo
	var bad *errdetails.BadRequest
	for _, d := range st.Details() {
		switch v := d.(type) {
		case *errdetails.ErrorInfo:
			info = v
		case *errdetails.BadRequest:
			bad = v
		}
	}
	return st, info, bad
}

func expectCode(err error, code codes.Code, reason string) (string, error) {
	if err == nil {
		return "", fmt.Errorf("expected %s, call succeeded", code)
	}
	st, info, _ := errorInfo(err)
	if st.Code() != code {
		return "", fmt.Errorf("expected %s, got %s: %s", code, st.Code(), st.Message())
	}
	if info == nil {
		return "", fmt.Errorf("no google.rpc.ErrorInfo in grpc-status-details-bin")
	}
	if info.GetReason() != reason || info.GetDomain() != errorDomain {
		return "", fmt.Errorf("ErrorInfo: expected %s/%s, got %s/%s", errorDomain, reason, info.GetDomain(), info.GetReason())
	}
	return info.GetReason(), nil
}

func run(address, token string) int {
	tenantID, err := tenantOf(token)
	if err != nil {
		fmt.Printf("FAIL - read tenant_id from token: %v\ngo smoke: 0 passed, 1 failed\n", err)
		return 1
	}
	dialCtx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	conn, err := grpc.DialContext(dialCtx, address, grpc.WithInsecure(), grpc.WithBlock())
	if err != nil {
		fmt.Printf("FAIL - connect to %s: %v\ngo smoke: 0 passed, 1 failed\n", address, err)
		return 1
	}
	defer conn.Close()
	client := btvv1.NewGovernanceServiceClient(conn)

	authed := func() (context.Context, context.CancelFunc) {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token), cancel
	}

	systemID := fmt.Sprintf("go-smoke-%08x", rand.New(rand.NewSource(time.Now().UnixNano())).Uint32())
	sent := &btvv1.AiSystem{
		Id:              systemID,
		Name:            "Go smoke fraud detection",
		Version:         "3.0.1",
		Sector:          btvv1.Sector_SECTOR_BANKING,
		Role:            btvv1.AiRole_AI_ROLE_DEPLOYER,
		Risk:            btvv1.RiskClassification_RISK_CLASSIFICATION_HIGH,
		LoggingEnabled:  true,
		TrainingFlops:   1e24,
		Jurisdiction:    "EU",
		IntendedPurpose: "Card fraud detection",
		ExternalDependencies: []*btvv1.ThirdPartyComponent{
			{Name: "onnxruntime", Version: "1.17", Vendor: "Microsoft", LicenseType: "MIT", RiskLevel: btvv1.RiskLevel_RISK_LEVEL_LOW},
		},
		Policy: &btvv1.Policy{AutonomyMatrix: map[string]*btvv1.AutonomyLimit{"production": {MaxRiskLevel: 2.5}}},
	}

	check("RegisterSystem (enum, double, repeated message, map)", func() (string, error) {
		ctx, cancel := authed()
		defer cancel()
		r, err := client.RegisterSystem(ctx, &btvv1.RegisterSystemRequest{System: sent})
		if err != nil {
			return "", err
		}
		if r.GetStatus() != "registered" || r.GetSystemId() != systemID || r.GetTenantId() != tenantID {
			return "", fmt.Errorf("unexpected response %v", r)
		}
		if !r.GetComplianceSummary().GetRequiresHumanOversight() {
			return "", fmt.Errorf("high-risk system without requires_human_oversight: %v", r.GetComplianceSummary())
		}
		return systemID, nil
	})

	check("GetSystem returns every field sent", func() (string, error) {
		ctx, cancel := authed()
		defer cancel()
		r, err := client.GetSystem(ctx, &btvv1.GetSystemRequest{SystemId: systemID})
		if err != nil {
			return "", err
		}
		got := r.GetSystem()
		if got.GetCreatedAt() == nil || got.GetUpdatedAt() == nil {
			return "", fmt.Errorf("timestamps missing: %v", got)
		}
		// Compare everything except the output-only fields the server fills in.
		want := proto.Clone(sent).(*btvv1.AiSystem)
		want.TenantId = tenantID
		want.LifecyclePhase = btvv1.LifecyclePhase_LIFECYCLE_PHASE_DEPLOYMENT
		want.OperationalStatus = btvv1.OperationalStatus_OPERATIONAL_STATUS_ACTIVE
		cmp := proto.Clone(got).(*btvv1.AiSystem)
		cmp.CreatedAt, cmp.UpdatedAt = nil, nil
		if !proto.Equal(cmp, want) {
			return "", fmt.Errorf("mismatch:\n  got  %v\n  want %v", cmp, want)
		}
		return fmt.Sprintf("training_flops=%g risk=%s", got.GetTrainingFlops(), got.GetRisk()), nil
	})

	check("ListSystems sees the system", func() (string, error) {
		ctx, cancel := authed()
		defer cancel()
		r, err := client.ListSystems(ctx, &btvv1.ListSystemsRequest{PageSize: 1000})
		if err != nil {
			return "", err
		}
		for _, s := range r.GetSystems() {
			if s.GetId() == systemID {
				return fmt.Sprintf("%d system(s)", len(r.GetSystems())), nil
			}
		}
		return "", fmt.Errorf("%s not listed", systemID)
	})

	check("a call without token is UNAUTHENTICATED", func() (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		_, err := client.GetSystem(ctx, &btvv1.GetSystemRequest{SystemId: systemID})
		return expectCode(err, codes.Unauthenticated, "ERROR_REASON_TOKEN_MISSING")
	})

	check("GetSystem of an unknown id is NOT_FOUND", func() (string, error) {
		ctx, cancel := authed()
		defer cancel()
		_, err := client.GetSystem(ctx, &btvv1.GetSystemRequest{SystemId: systemID + "-missing"})
		return expectCode(err, codes.NotFound, "ERROR_REASON_SYSTEM_NOT_FOUND")
	})

	check("INVALID_ARGUMENT names the field in google.rpc.BadRequest", func() (string, error) {
		ctx, cancel := authed()
		defer cancel()
		bad := &btvv1.AiSystem{Id: "Bad Id!", Name: "x", Risk: btvv1.RiskClassification_RISK_CLASSIFICATION_LIMITED}
		_, err := client.RegisterSystem(ctx, &btvv1.RegisterSystemRequest{System: bad})
		reason, cerr := expectCode(err, codes.InvalidArgument, "ERROR_REASON_INVALID_ARGUMENT")
		if cerr != nil {
			return "", cerr
		}
		_, _, br := errorInfo(err)
		if br == nil || len(br.GetFieldViolations()) != 1 || br.GetFieldViolations()[0].GetField() != "system.id" {
			return "", fmt.Errorf("BadRequest: expected one violation of system.id, got %v", br)
		}
		return reason + ", system.id", nil
	})

	fmt.Printf("go smoke: %d passed, %d failed\n", passed, failed)
	if failed > 0 {
		return 1
	}
	return 0
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintf(os.Stderr, "usage: %s ADDRESS TOKEN\n", os.Args[0])
		os.Exit(2)
	}
	os.Exit(run(os.Args[1], os.Args[2]))
}
