// Package extproc is the Envoy side: an ext_proc gRPC service that feeds each request to the
// engine and answers CONTINUE or an ImmediateResponse 403.
//
// Policy per route: Envoy opens one ext_proc stream per HTTP request, and a route's
// ExtProcPerRoute.overrides.grpc_initial_metadata adds gRPC metadata to that stream. The route
// sets `x-mgw-waf-policy: <policy>` and `x-mgw-route: <namespace/name>` there. Metadata comes from
// Envoy's configuration, never from the client, so a client cannot pick a weaker policy (a request
// header could be forged; route-added request headers are applied only by the router, after
// ext_proc). Routes with level Unfiltered should set ExtProcPerRoute.disabled: no hop at all.
package extproc

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	typev3 "github.com/envoyproxy/go-control-plane/envoy/type/v3"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/microgateway/microgateway/engine/waf/internal/config"
	"github.com/microgateway/microgateway/engine/waf/internal/engine"
	"github.com/microgateway/microgateway/engine/waf/internal/metrics"
)

const (
	PolicyMetadataKey = "x-mgw-waf-policy"
	RouteMetadataKey  = "x-mgw-route"
	RuleHeader        = "x-mgw-waf-rule"
)

// Server implements envoy.service.ext_proc.v3.ExternalProcessor.
type Server struct {
	extprocv3.UnimplementedExternalProcessorServer
	Engine  *engine.Engine
	Metrics *metrics.Metrics
	Log     *slog.Logger
}

type stream struct {
	route, policy string
	p             *engine.Policy
	in            *engine.Inspection
	method, path  string
	started       time.Time
	// phase1 delivers the phase-1 verdict of a request with a body, run while Envoy buffers it.
	phase1 chan phase1Result
}

type phase1Result struct {
	in *engine.Inspection
	v  engine.Verdict
}

// waitPhase1 collects the phase-1 goroutine's inspection (once).
func (st *stream) waitPhase1() engine.Verdict {
	if st.phase1 == nil {
		return engine.Verdict{}
	}
	r := <-st.phase1
	st.phase1 = nil
	st.in = r.in
	return r.v
}

// Process handles one HTTP request's stream.
func (s *Server) Process(srv extprocv3.ExternalProcessor_ProcessServer) error {
	st := &stream{}
	md, _ := metadata.FromIncomingContext(srv.Context())
	st.policy = first(md.Get(PolicyMetadataKey))
	st.route = first(md.Get(RouteMetadataKey))
	if st.route == "" {
		st.route = "unknown"
	}
	st.p = s.Engine.Policy(st.policy)
	defer func() {
		st.waitPhase1()
		if st.in != nil {
			st.in.Close()
		}
	}()
	for {
		req, err := srv.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			if status.Code(err) == codes.Canceled {
				return nil // Envoy is done with the request (it needed no more answers)
			}
			s.Metrics.Errors.WithLabelValues("recv").Inc()
			return err
		}
		resp, err := s.handle(st, req)
		if err != nil {
			s.Metrics.Errors.WithLabelValues("handle").Inc()
			return status.Error(codes.InvalidArgument, err.Error())
		}
		if err := srv.Send(resp); err != nil {
			return err
		}
	}
}

func (s *Server) handle(st *stream, req *extprocv3.ProcessingRequest) (*extprocv3.ProcessingResponse, error) {
	switch r := req.Request.(type) {
	case *extprocv3.ProcessingRequest_RequestHeaders:
		st.started = time.Now()
		s.Metrics.Requests.WithLabelValues(st.route, st.p.Name).Inc()
		request := toRequest(r.RequestHeaders.GetHeaders())
		st.method, st.path = request.Method, request.Path
		if !r.RequestHeaders.GetEndOfStream() && !s.Engine.Vanilla() {
			// A body follows. In BUFFERED(_PARTIAL) mode Envoy holds the headers until the body's
			// answer, so the headers can be answered at once and phase 1 run while Envoy buffers
			// and sends the body: its time leaves the request's latency.
			st.phase1 = make(chan phase1Result, 1)
			go func() {
				in, v := s.Engine.Begin(st.p, request, false)
				st.phase1 <- phase1Result{in, v}
			}()
			return &extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_RequestHeaders{RequestHeaders: &extprocv3.HeadersResponse{}}}, nil
		}
		in, v := s.Engine.Begin(st.p, request, r.RequestHeaders.GetEndOfStream())
		st.in = in
		if in.Done() {
			s.observe(st)
		}
		if block := s.decide(st, v); block != nil {
			return block, nil
		}
		return &extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_RequestHeaders{RequestHeaders: &extprocv3.HeadersResponse{}}}, nil
	case *extprocv3.ProcessingRequest_RequestBody:
		// BUFFERED_PARTIAL: the whole body, or its first buffer-limit bytes, in one message.
		v := st.waitPhase1()
		if v.Threat {
			s.observe(st)
		} else if st.in != nil && !st.in.Done() {
			v = st.in.Body(r.RequestBody.GetBody())
			s.observe(st)
		}
		if block := s.decide(st, v); block != nil {
			return block, nil
		}
		return &extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_RequestBody{RequestBody: &extprocv3.BodyResponse{}}}, nil
	case *extprocv3.ProcessingRequest_RequestTrailers:
		return &extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_RequestTrailers{RequestTrailers: &extprocv3.TrailersResponse{}}}, nil
	case *extprocv3.ProcessingRequest_ResponseHeaders:
		st.waitPhase1()
		if st.in != nil {
			resp := toRequest(r.ResponseHeaders.GetHeaders())
			code, _ := strconv.Atoi(headerValue(r.ResponseHeaders.GetHeaders(), ":status"))
			if block := s.decide(st, st.in.Response(code, "HTTP/1.1", resp.Headers)); block != nil {
				return block, nil
			}
		}
		return &extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_ResponseHeaders{ResponseHeaders: &extprocv3.HeadersResponse{}}}, nil
	case *extprocv3.ProcessingRequest_ResponseBody:
		return &extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_ResponseBody{ResponseBody: &extprocv3.BodyResponse{}}}, nil
	case *extprocv3.ProcessingRequest_ResponseTrailers:
		return &extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_ResponseTrailers{ResponseTrailers: &extprocv3.TrailersResponse{}}}, nil
	}
	return nil, errors.New("unexpected ext_proc message")
}

func (s *Server) observe(st *stream) {
	s.Metrics.Inspect.Observe(time.Since(st.started).Seconds())
}

// decide logs and counts a threat and returns the 403 when the policy blocks.
func (s *Server) decide(st *stream, v engine.Verdict) *extprocv3.ProcessingResponse {
	if !v.Threat {
		return nil
	}
	action := "blocked"
	if st.p.Mode == config.LogOnly {
		action = "logged"
	}
	s.Metrics.Threats.WithLabelValues(st.route, v.Family, action).Inc()
	path, _, _ := strings.Cut(st.path, "?")
	// One JSON line per flagged request: where and which rule, never the payload (the path is
	// logged without its query string; the rule message is CRS's text).
	s.Log.Info("waf threat", "action", action, "route", st.route, "policy", st.p.Name, "family", v.Family,
		"ruleId", v.RuleID, "ruleMsg", v.Msg, "method", st.method, "path", truncate(path, 256))
	if action != "blocked" {
		return nil
	}
	rule := strconv.Itoa(v.RuleID)
	body, _ := json.Marshal(map[string]any{"error": "request blocked by the web application firewall", "rule": v.RuleID, "family": v.Family})
	return &extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_ImmediateResponse{ImmediateResponse: &extprocv3.ImmediateResponse{
		Status:  &typev3.HttpStatus{Code: typev3.StatusCode_Forbidden},
		Body:    body,
		Details: "mgw_waf_blocked",
		Headers: &extprocv3.HeaderMutation{SetHeaders: []*corev3.HeaderValueOption{
			{Header: &corev3.HeaderValue{Key: RuleHeader, RawValue: []byte(rule)}},
			{Header: &corev3.HeaderValue{Key: "content-type", RawValue: []byte("application/json")}},
		}},
	}}}
}

// toRequest turns Envoy's header map into the engine's request; pseudo-headers carry the request
// line, :authority becomes Host.
func toRequest(h *corev3.HeaderMap) engine.Request {
	r := engine.Request{Protocol: "HTTP/1.1", Method: "GET", Path: "/"}
	for _, hv := range h.GetHeaders() {
		value := hv.GetValue()
		if len(hv.GetRawValue()) > 0 {
			value = string(hv.GetRawValue())
		}
		switch key := hv.GetKey(); key {
		case ":method":
			r.Method = value
		case ":path":
			r.Path = value
		case ":authority":
			r.Headers = append(r.Headers, engine.Header{Name: "host", Value: value})
		case ":scheme", ":protocol", ":status":
		case "x-forwarded-for":
			r.Headers = append(r.Headers, engine.Header{Name: key, Value: value})
			if r.ClientAddr == "" {
				ip, _, _ := strings.Cut(value, ",")
				r.ClientAddr = strings.TrimSpace(ip)
			}
		default:
			if strings.HasPrefix(key, ":") {
				continue // other pseudo-headers are not HTTP/1 headers
			}
			r.Headers = append(r.Headers, engine.Header{Name: key, Value: value})
		}
	}
	return r
}

func headerValue(h *corev3.HeaderMap, key string) string {
	for _, hv := range h.GetHeaders() {
		if hv.GetKey() == key {
			if len(hv.GetRawValue()) > 0 {
				return string(hv.GetRawValue())
			}
			return hv.GetValue()
		}
	}
	return ""
}

func first(values []string) string {
	if len(values) == 0 {
		return ""
	}
	return values[0]
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
